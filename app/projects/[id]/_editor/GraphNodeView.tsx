'use client';

import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { GraphFlowNode } from './flow';

const SHOWN_PROBLEMS = 2;

/** The one node component: ports, shapes, problems and network badges, as the node's view says. */
function GraphNodeViewImpl({ data, selected }: NodeProps<GraphFlowNode>) {
  const { node, name, title, inputs, outputs, problems, network, updates, schedule, summary } = data;
  const errors = problems.filter((p) => p.severity === 'error');
  return (
    <div
      className={`graph-node${selected ? ' selected' : ''}${errors.length ? ' has-error' : problems.length ? ' has-warning' : ''}`}
      data-node={node.id}
      data-kind={node.kind}
      style={network ? { borderColor: network.color } : undefined}
    >
      {/* Drawn instead of the details when the view is zoomed out (the canvas's "far" class): the name stays legible. */}
      <div className="graph-node-far" aria-hidden>
        <span className="graph-node-far-label">{name}</span>
        <span className="graph-node-far-kind" style={network ? { color: network.color } : undefined}>
          {network ? network.name : title}
          {errors.length > 0 && <span className="error"> · {errors.length} {errors.length === 1 ? 'problem' : 'problems'}</span>}
        </span>
      </div>
      <div className="graph-node-title" style={network ? { background: network.color, color: 'white' } : undefined}>
        <span className="graph-node-label">{name}</span>
        <span className="graph-node-kind">{network ? network.name : title}</span>
      </div>
      {network && network.calls > 1 && (
        <div className="badge" title={`All ${network.calls} calls of ${network.name} share its weights`}>
          shares {network.name}&apos;s weights ({network.calls} calls)
        </div>
      )}
      {summary && <div className="badge node-summary">{summary}</div>}
      {schedule && (
        <div className="badge schedule-place" title="Where this optimizer runs in each training iteration (the Schedule in the training panel)">
          {schedule}
        </div>
      )}
      {updates && (
        <div className="badge-row">
          {updates.verb}{' '}
          {updates.networks.length === 0 ? (
            <em>nothing</em>
          ) : (
            updates.networks.map((u) => (
              <span key={u.name} className="chip" style={{ background: u.color }}>
                {u.name}
              </span>
            ))
          )}
        </div>
      )}
      <div className="graph-node-ports">
        <div className="ports-in">
          {inputs.map((port) => (
            <div key={port.id} className="port port-in" data-port={port.id}>
              <Handle type="target" position={Position.Left} id={port.id} />
              <span>{port.label}</span>
              {port.shape && <code>{port.shape}</code>}
            </div>
          ))}
        </div>
        <div className="ports-out">
          {outputs.map((port) => (
            <div key={port.id} className="port port-out" data-port={port.id}>
              {port.shape && <code>{port.shape}</code>}
              <span>{port.label}</span>
              <Handle type="source" position={Position.Right} id={port.id} />
            </div>
          ))}
        </div>
      </div>
      {problems.length > 0 && (
        // At most two, clamped: a node with errors must not grow over its neighbours (the problems list has them all).
        <ul className="node-problems" title={problems.map((p) => p.message).join('\n')}>
          {problems.slice(0, SHOWN_PROBLEMS).map((p, i) => (
            <li key={i} className={p.severity}>
              {p.message}
            </li>
          ))}
          {problems.length > SHOWN_PROBLEMS && <li className="more">+{problems.length - SHOWN_PROBLEMS} more</li>}
        </ul>
      )}
    </div>
  );
}

export const GraphNodeView = memo(GraphNodeViewImpl);
