'use client';

import { useEffect } from 'react';
import type { EditorActions } from './useEditorActions';

/** The editor's keyboard shortcuts (listed in the help overlay); typing in a field never triggers them. */
export function useShortcuts(actions: EditorActions, toggleHelp: (open?: boolean) => void) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).closest('input, select, textarea')) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'z' && !e.shiftKey) actions.undo();
      else if (mod && (key === 'y' || (key === 'z' && e.shiftKey))) actions.redo();
      else if (mod && key === 'c') actions.copy();
      else if (mod && key === 'v') actions.paste();
      else if (mod && key === 'a') actions.selectAll();
      else if (mod) return;
      else if (key === 'f') actions.fit();
      else if (key === 'l') actions.layout();
      else if (key === 'g') actions.groupSelection();
      else if (key === '?') toggleHelp();
      else if (key === 'escape') toggleHelp(false);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions, toggleHelp]);
}
