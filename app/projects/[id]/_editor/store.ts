'use client';

import type { XYPosition } from '@xyflow/react';
import { create } from 'zustand';
import { temporal } from 'zundo';
import type { ScopeId } from '@/lib/graph/edit';
import type { GraphDoc } from '@/lib/graph/schema';

/**
 * The editor's state, in one place: the document (the only thing undo/redo
 * tracks) and the open scope, plus what the canvas shows of them: the
 * selection, the sizes React Flow measured and the positions of nodes being
 * dragged (committed to the document when the drag ends). Every edit
 * replaces `doc` with the result of a pure function from lib/graph/edit, so
 * analysis memoises per document. Canvas state belongs to the open scope and
 * is cleared when another opens (a network's "z" is not the main graph's "z").
 */
export interface Size {
  width: number;
  height: number;
}

export interface EditorState {
  doc: GraphDoc;
  scope: ScopeId;
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  measured: ReadonlyMap<string, Size>;
  dragging: ReadonlyMap<string, XYPosition>;
  setDoc(doc: GraphDoc): void;
  setScope(scope: ScopeId): void;
  selectNodes(ids: Iterable<string>): void;
  /** Canvas changes from React Flow, applied together. */
  update(change: Partial<Pick<EditorState, 'selectedNodes' | 'selectedEdges' | 'measured' | 'dragging'>>): void;
  /** Ends a drag: the new positions go into the document and the overlay goes, in one update. */
  commitDrag(doc: GraphDoc, ids: readonly string[]): void;
}

const NONE: ReadonlySet<string> = new Set();

export function createEditorStore(doc: GraphDoc) {
  return create<EditorState>()(
    temporal(
      (set) => ({
        doc,
        scope: null,
        selectedNodes: NONE,
        selectedEdges: NONE,
        measured: new Map(),
        dragging: new Map(),
        setDoc: (next) => set({ doc: next }),
        setScope: (scope) => set((s) => (s.scope === scope ? {} : { scope, selectedNodes: NONE, selectedEdges: NONE, measured: new Map(), dragging: new Map() })),
        selectNodes: (ids) => set({ selectedNodes: new Set(ids), selectedEdges: NONE }),
        update: (change) => set(change),
        commitDrag: (next, ids) =>
          set((s) => {
            const dragging = new Map(s.dragging);
            ids.forEach((id) => dragging.delete(id));
            return { doc: next, dragging };
          }),
      }),
      { partialize: (state) => ({ doc: state.doc }), equality: (a, b) => a.doc === b.doc, limit: 200 },
    ),
  );
}

export type EditorStore = ReturnType<typeof createEditorStore>;
