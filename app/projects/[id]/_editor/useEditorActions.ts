'use client';

import { useReactFlow, useStoreApi, type XYPosition } from '@xyflow/react';
import { useMemo, useRef } from 'react';
import { addNode, createNetworkFromSelection, moveNodes, pasteNodes, scopeGraph } from '@/lib/graph/edit';
import { loadGraphDoc } from '@/lib/graph/migrations';
import type { Problem } from '@/lib/graph/problems';
import type { Edge, GraphNode } from '@/lib/graph/schema';
import { autoLayout } from '@/lib/graph/layout';
import { freeSpot } from '@/lib/graph/placement';
import type { EditorStore } from './store';

/** About the size of a node not drawn yet (a title, two or three ports). */
const UNMEASURED = { width: 250, height: 120 };

/** What the toolbar, the shortcuts and the lists can do to the document and the view; each reads the store when it runs. */
export function useEditorActions(store: EditorStore, onMessage: (message: string) => void) {
  const flow = useReactFlow();
  const view = useStoreApi();
  const clipboard = useRef<{ nodes: GraphNode[]; edges: Edge[] }>(undefined);
  return useMemo(() => {
    const state = () => store.getState();
    const focusNode = (id: string) => {
      const node = flow.getNode(id);
      if (!node) return;
      state().selectNodes([id]);
      flow.setCenter(node.position.x + (node.measured?.width ?? 200) / 2, node.position.y + (node.measured?.height ?? 100) / 2, { zoom: 1.1, duration: 300 });
    };
    return {
      undo: () => store.temporal.getState().undo(),
      redo: () => store.temporal.getState().redo(),
      /**
       * Adds a node with its corner at `position` (where it was dropped) or
       * centred in the view (Enter in the palette), moved to the nearest spot
       * clear of the others.
       */
      add(kind: string, position?: XYPosition) {
        const { width, height, transform } = view.getState();
        const [tx, ty, zoom] = transform;
        const centre = position ? { x: position.x + UNMEASURED.width / 2, y: position.y + UNMEASURED.height / 2 } : { x: (width / 2 - tx) / zoom, y: (height / 2 - ty) / zoom };
        const { doc, scope, setDoc, selectNodes, measured } = state();
        const taken = scopeGraph(doc, scope).nodes.map((n) => ({ ...n.position, ...(measured.get(n.id) ?? UNMEASURED) }));
        const at = freeSpot(centre, UNMEASURED, taken);
        const added = addNode(doc, scope, kind, at);
        setDoc(added.doc);
        selectNodes([added.id]);
      },
      focusNode,
      focusProblem(problem: Problem) {
        state().setScope(problem.network ?? null);
        if (problem.node) setTimeout(() => focusNode(problem.node!), 50);
      },
      selectAll: () => state().selectNodes(scopeGraph(state().doc, state().scope).nodes.map((n) => n.id)),
      groupSelection() {
        const { doc, scope, selectedNodes, setDoc } = state();
        const chosen = window.prompt('Name of the new network', `Net${doc.networks.length + 1}`);
        if (chosen === null) return;
        const made = createNetworkFromSelection(doc, scope, [...selectedNodes], chosen);
        if (!made.ok) return onMessage(made.error);
        setDoc(made.value.doc);
        onMessage(`Created network ${chosen}: open it from the Networks list.`);
      },
      layout() {
        const { doc, scope, setDoc } = state();
        const positions = autoLayout(scopeGraph(doc, scope), (id) => {
          const measured = flow.getNode(id)?.measured;
          return { width: measured?.width ?? 220, height: measured?.height ?? 120 };
        });
        setDoc(moveNodes(doc, scope, positions));
        setTimeout(() => flow.fitView({ duration: 300 }), 50);
      },
      fit: () => flow.fitView({ duration: 300 }),
      copy() {
        const { doc, scope, selectedNodes } = state();
        const graph = scopeGraph(doc, scope);
        clipboard.current = {
          nodes: graph.nodes.filter((n) => selectedNodes.has(n.id)),
          edges: graph.edges.filter((e) => selectedNodes.has(e.source.node) && selectedNodes.has(e.target.node)),
        };
      },
      paste() {
        if (!clipboard.current?.nodes.length) return;
        const { doc, scope, setDoc, selectNodes } = state();
        const pasted = pasteNodes(doc, scope, clipboard.current.nodes, clipboard.current.edges);
        setDoc(pasted.doc);
        selectNodes(pasted.ids);
      },
      async importFile(file: File) {
        const loaded = loadGraphDoc(await file.text());
        if (!loaded.ok) return onMessage(`Import refused, nothing was changed: ${loaded.error}`);
        state().setDoc(loaded.value);
        state().setScope(null);
        onMessage(`Imported ${file.name}.`);
      },
      exportFile(name: string) {
        const blob = new Blob([`${JSON.stringify(state().doc, null, 2)}\n`], { type: 'application/json' });
        const link = document.createElement('a');
        link.href = URL.createObjectURL(blob);
        link.download = `${name.replace(/[^\w.-]+/g, '_') || 'graph'}.json`;
        link.click();
        URL.revokeObjectURL(link.href);
      },
    };
  }, [store, flow, view, onMessage]);
}

export type EditorActions = ReturnType<typeof useEditorActions>;
