'use client';

import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { formatShape } from '@/lib/kinds/shape';
import type { GraphFlowNode } from './flow';

/** The one node component: ports, shapes, problems and network badges all come from the registry and the analysis. */
function GraphNodeViewImpl({ data, selected }: NodeProps<GraphFlowNode>) {
  const { node, info, problems, network, updates } = data;
  const title = info?.kind?.title ?? node.kind;
  const errors = problems.filter((p) => p.severity === 'error');
  return (
    <div
      className={`graph-node${selected ? ' selected' : ''}${errors.length ? ' has-error' : problems.length ? ' has-warning' : ''}`}
      data-node={node.id}
      data-kind={node.kind}
      style={network ? { borderColor: network.color } : undefined}
    >
      <div className="graph-node-title" style={network ? { background: network.color, color: 'white' } : undefined}>
        <span className="graph-node-label">{node.label || node.id}</span>
        <span className="graph-node-kind">{network ? `${network.name}` : title}</span>
      </div>
      {network && network.calls > 1 && (
        <div className="badge" title={`All ${network.calls} calls of ${network.name} share its weights`}>
          shares {network.name}&apos;s weights ({network.calls} calls)
        </div>
      )}
      {updates && (
        <div className="badge-row">
          {info?.kind?.role === 'optimizer' ? 'updates' : 'trains'}{' '}
          {updates.length === 0 ? <em>nothing</em> : updates.map((u) => (
            <span key={u.name} className="chip" style={{ background: u.color }}>
              {u.name}
            </span>
          ))}
        </div>
      )}
      <div className="graph-node-ports">
        <div className="ports-in">
          {info?.inputs.map((port) => (
            <div key={port.id} className="port port-in" data-port={port.id}>
              <Handle type="target" position={Position.Left} id={port.id} />
              <span>{port.label}</span>
              {info.inShapes[port.id] && <code>{formatShape(info.inShapes[port.id]!)}</code>}
            </div>
          ))}
        </div>
        <div className="ports-out">
          {info?.outputs.map((port) => (
            <div key={port.id} className="port port-out" data-port={port.id}>
              {info.outShapes[port.id] && <code>{formatShape(info.outShapes[port.id]!)}</code>}
              <span>{port.label}</span>
              <Handle type="source" position={Position.Right} id={port.id} />
            </div>
          ))}
        </div>
      </div>
      {problems.length > 0 && (
        <ul className="node-problems">
          {problems.map((p, i) => (
            <li key={i} className={p.severity}>
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export const GraphNodeView = memo(GraphNodeViewImpl);
