'use client';

import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Edge as FlowEdge,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import dynamic from 'next/dynamic';
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { analyse } from '@/lib/graph/analyse';
import { addNode, connect, createNetworkFromSelection, moveNodes, pasteNodes, removeElements, scopeGraph, updateNode } from '@/lib/graph/edit';
import { loadGraphDoc } from '@/lib/graph/migrations';
import type { Problem } from '@/lib/graph/problems';
import type { Edge, GraphDoc, GraphNode } from '@/lib/graph/schema';
import { listRevisionsAction, restoreRevisionAction } from '../../../actions';
import { toFlow, networkColor, type GraphFlowNode } from './flow';
import { ExportButton } from './ExportButton';
import { GraphNodeView } from './GraphNodeView';
import { HelpOverlay, SHORTCUTS } from './HelpOverlay';
import { Inspector } from './Inspector';
import { autoLayout } from './layout';
import { KIND_MIME, Palette } from './Palette';
import { Problems } from './Problems';
import { createEditorStore, type EditorStore } from './store';
import { useAutosave } from './useAutosave';
import { useTheme } from './useTheme';

// Loaded when first opened: charts and checkpoint handling stay out of the editor's first load.
const TrainingPanel = dynamic(() => import('../_train/TrainingPanel').then((m) => m.TrainingPanel), { ssr: false });

const nodeTypes = { graph: GraphNodeView };

interface Props {
  projectId: string;
  name: string;
  version: number;
  graph: GraphDoc;
}

export function Editor(props: Props) {
  const [store] = useState(() => createEditorStore(props.graph));
  return (
    <ReactFlowProvider>
      <EditorInner {...props} store={store} />
    </ReactFlowProvider>
  );
}

function EditorInner({ projectId, name, version, store }: Props & { store: EditorStore }) {
  const doc = useStore(store, (s) => s.doc);
  const scope = useStore(store, (s) => s.scope);
  const { setDoc, setScope } = store.getState();
  const canUndo = useStore(store.temporal, (s) => s.pastStates.length > 0);
  const canRedo = useStore(store.temporal, (s) => s.futureStates.length > 0);
  const analysis = useMemo(() => analyse(doc), [doc]);
  const view = useMemo(() => toFlow(doc, scope, analysis), [doc, scope, analysis]);
  const flow = useReactFlow();
  const [theme, toggleTheme] = useTheme();
  const [message, setMessage] = useState<string>();
  const [help, setHelp] = useState(false);
  // undefined until first opened; afterwards the panel stays mounted (hidden) so a run survives closing it.
  const [training, setTraining] = useState<boolean>();
  const [history, setHistory] = useState<{ version: number; createdAt: Date }[]>();
  const save = useAutosave(projectId, version, doc);
  const clipboard = useRef<{ nodes: GraphNode[]; edges: Edge[] }>(undefined);
  const fileInput = useRef<HTMLInputElement>(null);
  // Fit once when the project opens with content (fitting as the first node of an empty canvas appears would jump the view).
  const [fitOnOpen] = useState(() => view.nodes.length > 0);
  const shownScope = useRef(scope);
  const fitView = useRef(flow.fitView);
  fitView.current = flow.fitView;
  useEffect(() => {
    if (shownScope.current === scope) return;
    shownScope.current = scope;
    const timer = setTimeout(() => fitView.current({ duration: 200, maxZoom: 1 }), 30);
    return () => clearTimeout(timer);
  }, [scope]);

  // React Flow keeps measured sizes and selection on its node objects: carry them across document
  // changes within a scope (never across scopes: a network's "z" is not the main graph's "z").
  const [nodes, setNodes] = useState<GraphFlowNode[]>(view.nodes);
  const [edges, setEdges] = useState<FlowEdge[]>(view.edges);
  const viewScope = useRef(scope);
  useEffect(() => {
    if (viewScope.current !== scope) {
      viewScope.current = scope;
      setNodes(view.nodes);
      setEdges(view.edges);
      return;
    }
    setNodes((previous) => {
      const before = new Map(previous.map((n) => [n.id, n]));
      return view.nodes.map((n) => {
        const old = before.get(n.id);
        return old ? { ...n, selected: old.selected, measured: old.measured } : n;
      });
    });
    setEdges((previous) => {
      const selected = new Set(previous.filter((e) => e.selected).map((e) => e.id));
      return view.edges.map((e) => (selected.has(e.id) ? { ...e, selected: true } : e));
    });
  }, [view, scope]);

  const selectedIds = nodes.filter((n) => n.selected).map((n) => n.id);
  const selectedNode = selectedIds.length === 1 ? scopeGraph(doc, scope).nodes.find((n) => n.id === selectedIds[0]) : undefined;

  const edit = useCallback((next: GraphDoc) => setDoc(next), [setDoc]);

  const onNodesChange = useCallback((changes: NodeChange<GraphFlowNode>[]) => setNodes((n) => applyNodeChanges(changes, n)), []);
  const onEdgesChange = useCallback((changes: EdgeChange[]) => setEdges((e) => applyEdgeChanges(changes, e)), []);

  const add = useCallback(
    (kind: string, position?: { x: number; y: number }) => {
      const at = position ?? flow.screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 });
      const added = addNode(store.getState().doc, store.getState().scope, kind, at);
      edit(added.doc);
      setNodes((n) => n.map((x) => ({ ...x, selected: false })));
    },
    [edit, flow, store],
  );

  const focusNode = useCallback(
    (id: string) => {
      const node = flow.getNode(id);
      if (!node) return;
      setNodes((n) => n.map((x) => ({ ...x, selected: x.id === id })));
      flow.setCenter(node.position.x + (node.measured?.width ?? 200) / 2, node.position.y + (node.measured?.height ?? 100) / 2, { zoom: 1.1, duration: 300 });
    },
    [flow],
  );

  const focusProblem = useCallback(
    (p: Problem) => {
      setScope(p.network ?? null);
      if (p.node) setTimeout(() => focusNode(p.node!), 50);
    },
    [focusNode, setScope],
  );

  const groupSelection = useCallback(() => {
    const suggested = `Net${doc.networks.length + 1}`;
    const chosen = window.prompt('Name of the new network', suggested);
    if (chosen === null) return;
    const made = createNetworkFromSelection(doc, scope, selectedIds, chosen);
    if (!made.ok) return setMessage(made.error);
    edit(made.value.doc);
    setMessage(`Created network ${chosen}: open it from the Networks list.`);
  }, [doc, scope, selectedIds, edit]);

  const layout = useCallback(() => {
    const positions = autoLayout(scopeGraph(doc, scope), (id) => {
      const measured = flow.getNode(id)?.measured;
      return { width: measured?.width ?? 220, height: measured?.height ?? 120 };
    });
    edit(moveNodes(doc, scope, positions));
    setTimeout(() => flow.fitView({ duration: 300 }), 50);
  }, [doc, scope, edit, flow]);

  const copy = useCallback(() => {
    const ids = new Set(selectedIds);
    const graph = scopeGraph(doc, scope);
    clipboard.current = { nodes: graph.nodes.filter((n) => ids.has(n.id)), edges: graph.edges.filter((e) => ids.has(e.source.node) && ids.has(e.target.node)) };
  }, [doc, scope, selectedIds]);

  const paste = useCallback(() => {
    if (!clipboard.current?.nodes.length) return;
    const pasted = pasteNodes(doc, scope, clipboard.current.nodes, clipboard.current.edges);
    edit(pasted.doc);
    const fresh = new Set(pasted.ids);
    setTimeout(() => setNodes((n) => n.map((x) => ({ ...x, selected: fresh.has(x.id) }))), 0);
  }, [doc, scope, edit]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (target.closest('input, select, textarea')) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'z' && !e.shiftKey) store.temporal.getState().undo();
      else if (mod && (key === 'y' || (key === 'z' && e.shiftKey))) store.temporal.getState().redo();
      else if (mod && key === 'c') copy();
      else if (mod && key === 'v') paste();
      else if (mod && key === 'a') setNodes((n) => n.map((x) => ({ ...x, selected: true })));
      else if (mod) return;
      else if (key === 'f') flow.fitView({ duration: 300 });
      else if (key === 'l') layout();
      else if (key === 'g') groupSelection();
      else if (key === '?') setHelp((h) => !h);
      else if (key === 'escape') setHelp(false);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, copy, paste, layout, groupSelection, flow]);

  const importFile = async (file: File) => {
    const loaded = loadGraphDoc(await file.text());
    if (!loaded.ok) return setMessage(`Import refused, nothing was changed: ${loaded.error}`);
    edit(loaded.value);
    setScope(null);
    setMessage(`Imported ${file.name}.`);
  };

  const exportFile = () => {
    const blob = new Blob([`${JSON.stringify(doc, null, 2)}\n`], { type: 'application/json' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `${name.replace(/[^\w.-]+/g, '_') || 'graph'}.json`;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  const openHistory = async () => {
    const revisions = await listRevisionsAction(projectId);
    if (!revisions.ok) return setMessage(revisions.error);
    setHistory(revisions.value);
  };

  const restore = async (revision: number) => {
    const restored = await restoreRevisionAction(projectId, save.version, revision);
    if (!restored.ok) return setMessage(restored.error.message);
    window.location.reload();
  };

  const scopeName = scope === null ? undefined : doc.networks.find((n) => n.id === scope)?.name;

  return (
    <div className="editor" data-theme-mode={theme}>
      <header className="toolbar">
        <Link href="/">Projects</Link>
        <strong className="project-name">{name}</strong>
        <span className={`save-status ${save.status}`} role="status" aria-label="Save status" data-status={save.status}>
          {save.status === 'saved' ? 'Saved' : save.status === 'saving' ? 'Saving…' : save.status === 'unsaved' ? 'Unsaved changes' : save.error}
        </span>
        <button onClick={() => store.temporal.getState().undo()} disabled={!canUndo} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button onClick={() => store.temporal.getState().redo()} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        <button onClick={groupSelection} disabled={selectedIds.length === 0} title="Create a network from the selection (G)">
          Network from selection
        </button>
        <button onClick={layout} title="Auto-layout (L)">
          Layout
        </button>
        <button onClick={() => flow.fitView({ duration: 300 })} title="Fit view (F)">
          Fit
        </button>
        <button onClick={() => fileInput.current?.click()}>Import</button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          hidden
          aria-label="Import graph file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void importFile(file);
            e.target.value = '';
          }}
        />
        <button onClick={exportFile}>Export JSON</button>
        <ExportButton projectId={projectId} errorCount={analysis.errors.length} />
        <button onClick={openHistory}>History</button>
        <button onClick={() => setTraining((t) => !t)} aria-pressed={!!training} className="primary">
          {training ? 'Hide training' : 'Training'}
        </button>
        <button onClick={toggleTheme} title="Light or dark theme">
          {theme === 'dark' ? 'Light' : 'Dark'}
        </button>
        <button onClick={() => setHelp(true)} title="Keyboard shortcuts (?)">
          ?
        </button>
      </header>
      {message && (
        <div className="message" role="alert">
          {message} <button onClick={() => setMessage(undefined)}>Dismiss</button>
        </div>
      )}
      {history && (
        <div className="history" role="dialog" aria-label="Version history">
          <h3>History</h3>
          <ul>
            {history.map((r) => (
              <li key={r.version}>
                Version {r.version} · {new Date(r.createdAt).toLocaleString()}{' '}
                {r.version === save.version ? <em>current</em> : <button onClick={() => restore(r.version)}>Restore</button>}
              </li>
            ))}
          </ul>
          <button onClick={() => setHistory(undefined)}>Close</button>
        </div>
      )}
      <div className="workspace">
        <Palette onAdd={(kind) => add(kind)} />
        <div className="canvas-column">
          <nav className="breadcrumb" aria-label="Scope">
            <button onClick={() => setScope(null)} aria-current={scope === null ? 'page' : undefined}>
              Main graph
            </button>
            {scopeName && (
              <>
                {' / '}
                <span style={{ color: networkColor(doc, scope!) }}>{scopeName}</span>
              </>
            )}
          </nav>
          <div
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
              add(kind, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
            }}
          >
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onNodeDragStop={(_e, _node, dragged) => edit(moveNodes(doc, scope, Object.fromEntries(dragged.map((n) => [n.id, n.position]))))}
              onDelete={({ nodes: gone, edges: cut }) => edit(removeElements(doc, scope, gone.map((n) => n.id), cut.map((e) => e.id)))}
              onConnect={(c) => {
                const linked = connect(doc, scope, { node: c.source, port: c.sourceHandle ?? '' }, { node: c.target, port: c.targetHandle ?? '' });
                if (linked.ok) edit(linked.value);
                else setMessage(`Connection refused: ${linked.error}`);
              }}
              onNodeDoubleClick={(_e, node) => {
                const network = node.data.network?.id;
                if (network) setScope(network);
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
              <MiniMap pannable zoomable />
              <Controls />
            </ReactFlow>
          </div>
        </div>
        <div className="side">
          <section className="networks" aria-label="Networks">
            <h3>Networks</h3>
            <ul>
              {doc.networks.map((n) => (
                <li key={n.id}>
                  <button onClick={() => setScope(n.id)} aria-current={scope === n.id ? 'page' : undefined}>
                    <span className="swatch" style={{ background: networkColor(doc, n.id) }} /> {n.name}
                  </button>
                </li>
              ))}
            </ul>
          </section>
          <Inspector doc={doc} node={selectedNode} onChange={(change) => selectedNode && edit(updateNode(doc, scope, selectedNode.id, change))} />
          <Problems doc={doc} problems={analysis.problems} onFocus={focusProblem} />
        </div>
      </div>
      {training !== undefined && (
        <div className="training-drawer" hidden={!training}>
          <TrainingPanel projectId={projectId} doc={doc} analysis={analysis} onMessage={setMessage} />
        </div>
      )}
      {help && <HelpOverlay onClose={() => setHelp(false)} shortcuts={SHORTCUTS} />}
    </div>
  );
}
