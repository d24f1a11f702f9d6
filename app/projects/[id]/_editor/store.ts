'use client';

import { create } from 'zustand';
import { temporal } from 'zundo';
import type { ScopeId } from '@/lib/graph/edit';
import type { GraphDoc } from '@/lib/graph/schema';

/**
 * The editor's state: the document (the only thing undo/redo tracks) and
 * which scope is open. Every edit replaces `doc` with the result of a pure
 * function from lib/graph/edit, so analysis memoises per document.
 */
export interface EditorState {
  doc: GraphDoc;
  scope: ScopeId;
  setDoc(doc: GraphDoc): void;
  setScope(scope: ScopeId): void;
}

export function createEditorStore(doc: GraphDoc) {
  return create<EditorState>()(
    temporal(
      (set) => ({
        doc,
        scope: null,
        setDoc: (next) => set({ doc: next }),
        setScope: (scope) => set({ scope }),
      }),
      { partialize: (state) => ({ doc: state.doc }), equality: (a, b) => a.doc === b.doc, limit: 200 },
    ),
  );
}

export type EditorStore = ReturnType<typeof createEditorStore>;
