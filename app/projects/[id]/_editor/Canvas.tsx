'use client';

import { Background, Controls, MiniMap, ReactFlow, useReactFlow, useStoreApi, type EdgeChange, type NodeChange, type XYPosition } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { Analysis } from '@/lib/graph/analyse';
import { connect, moveNodes, removeElements, scopeGraph } from '@/lib/graph/edit';
import { FlowCache, nodeViews, type GraphFlowNode } from './flow';
import { GraphNodeView } from './GraphNodeView';
import { KIND_MIME } from './Palette';
import type { EditorStore, Size } from './store';

const nodeTypes = { graph: GraphNodeView };

/** Below this zoom a node's 12.5 px text would be under 10 px on screen: nodes draw their names only, at 12 px. */
export const FAR_ZOOM = 0.8;

/**
 * The React Flow canvas of the open scope. Nodes and edges are derived from
 * the store in a memo that reuses every unchanged object; React Flow's own
 * changes (selection, measured sizes, drag positions) go back to the store.
 */
export function Canvas({
  store,
  analysis,
  theme,
  minimap,
  onAdd,
  onMessage,
}: {
  store: EditorStore;
  analysis: Analysis;
  theme: 'light' | 'dark';
  /** Off while the training drawer halves the canvas: the map would cover the nodes. */
  minimap: boolean;
  onAdd(kind: string, at: XYPosition): void;
  onMessage(message: string): void;
}) {
  const doc = useStore(store, (s) => s.doc);
  const scope = useStore(store, (s) => s.scope);
  const selectedNodes = useStore(store, (s) => s.selectedNodes);
  const selectedEdges = useStore(store, (s) => s.selectedEdges);
  const measured = useStore(store, (s) => s.measured);
  const dragging = useStore(store, (s) => s.dragging);
  const flow = useReactFlow();

  // One cache per scope: a network's node "z" is not the main graph's "z".
  const cache = useMemo(() => new FlowCache(), [scope]);
  const views = useMemo(() => cache.stable(nodeViews(doc, scope, analysis)), [cache, doc, scope, analysis]);
  const nodes = useMemo(() => cache.flowNodes(scopeGraph(doc, scope).nodes, views, { selectedNodes, measured, dragging }), [cache, doc, scope, views, selectedNodes, measured, dragging]);
  const edges = useMemo(() => cache.flowEdges(doc, scope, analysis, selectedEdges), [cache, doc, scope, analysis, selectedEdges]);

  // Fit once when the project opens with content, and whenever another scope opens.
  const [fitOnOpen] = useState(() => nodes.length > 0);
  const shownScope = useRef(scope);
  const fitView = useRef(flow.fitView);
  fitView.current = flow.fitView;
  useEffect(() => {
    if (shownScope.current === scope) return;
    shownScope.current = scope;
    const timer = setTimeout(() => fitView.current({ duration: 200, maxZoom: 1 }), 30);
    return () => clearTimeout(timer);
  }, [scope]);

  // Zoomed out, nodes draw only their names, large enough to read (see .canvas.far in globals.css); set on
  // the element, not in React state, so zooming re-renders nothing.
  const element = useRef<HTMLDivElement>(null);
  const view = useStoreApi();
  useEffect(() => {
    const apply = (zoom: number) => {
      element.current?.classList.toggle('far', zoom < FAR_ZOOM);
      element.current?.style.setProperty('--inv-zoom', String(1 / zoom));
    };
    apply(view.getState().transform[2]);
    return view.subscribe((s, before) => {
      if (s.transform[2] !== before.transform[2]) apply(s.transform[2]);
    });
  }, [view]);

  const onNodesChange = useCallback(
    (changes: NodeChange<GraphFlowNode>[]) => {
      const state = store.getState();
      let selectedNodes: Set<string> | undefined;
      let measured: Map<string, Size> | undefined;
      let dragging: Map<string, XYPosition> | undefined;
      for (const change of changes) {
        if (change.type === 'select') {
          selectedNodes ??= new Set(state.selectedNodes);
          if (change.selected) selectedNodes.add(change.id);
          else selectedNodes.delete(change.id);
        } else if (change.type === 'dimensions' && change.dimensions) {
          measured ??= new Map(state.measured);
          measured.set(change.id, change.dimensions);
        } else if (change.type === 'position' && change.position && change.dragging) {
          dragging ??= new Map(state.dragging);
          dragging.set(change.id, change.position);
        }
      }
      if (selectedNodes || measured || dragging) state.update({ ...(selectedNodes && { selectedNodes }), ...(measured && { measured }), ...(dragging && { dragging }) });
    },
    [store],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const state = store.getState();
      const selected = new Set(state.selectedEdges);
      let changed = false;
      for (const change of changes) {
        if (change.type !== 'select') continue;
        changed = true;
        if (change.selected) selected.add(change.id);
        else selected.delete(change.id);
      }
      if (changed) state.update({ selectedEdges: selected });
    },
    [store],
  );

  return (
    <div
      ref={element}
      className="canvas"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(KIND_MIME)) {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        }
      }}
      onDrop={(e) => {
        const kind = e.dataTransfer.getData(KIND_MIME);
        if (!kind) return;
        e.preventDefault();
        onAdd(kind, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
      }}
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStop={(_e, _node, dragged) => {
          const { doc, scope } = store.getState();
          store.getState().commitDrag(moveNodes(doc, scope, Object.fromEntries(dragged.map((n) => [n.id, n.position]))), dragged.map((n) => n.id));
        }}
        onDelete={({ nodes: gone, edges: cut }) => {
          const { doc, scope, setDoc } = store.getState();
          setDoc(removeElements(doc, scope, gone.map((n) => n.id), cut.map((e) => e.id)));
        }}
        onConnect={(c) => {
          const { doc, scope, setDoc } = store.getState();
          const linked = connect(doc, scope, { node: c.source, port: c.sourceHandle ?? '' }, { node: c.target, port: c.targetHandle ?? '' });
          if (linked.ok) setDoc(linked.value);
          else onMessage(`Connection refused: ${linked.error}`);
        }}
        onNodeDoubleClick={(_e, node) => {
          const network = node.data.network?.id;
          if (network) store.getState().setScope(network);
        }}
        deleteKeyCode={['Backspace', 'Delete']}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        colorMode={theme}
        onlyRenderVisibleElements
        fitView={fitOnOpen}
        fitViewOptions={{ maxZoom: 1 }}
        minZoom={0.1}
      >
        <Background />
        {minimap && <MiniMap pannable zoomable />}
        <Controls />
      </ReactFlow>
    </div>
  );
}
