'use client';

import Link from 'next/link';
import { useRef } from 'react';
import { ExportButton } from './ExportButton';
import type { EditorActions } from './useEditorActions';
import type { SaveStatus } from './useAutosave';

export interface ToolbarProps {
  projectId: string;
  name: string;
  save: { status: SaveStatus; error?: string };
  canUndo: boolean;
  canRedo: boolean;
  hasSelection: boolean;
  errorCount: number;
  /** The graph's networks: a target that writes one network (ONNX) asks which. */
  networks: readonly { id: string; name: string }[];
  training: boolean;
  theme: 'light' | 'dark';
  actions: EditorActions;
  onHistory(): void;
  onTraining(): void;
  onTheme(): void;
  onHelp(): void;
}

/** The editor's toolbar: save status, edits, import and export, history, training, theme, help. */
export function Toolbar(props: ToolbarProps) {
  const { actions, save } = props;
  const fileInput = useRef<HTMLInputElement>(null);
  return (
    <header className="toolbar">
      <Link href="/">Projects</Link>
      <strong className="project-name">{props.name}</strong>
      <span className={`save-status ${save.status}`} role="status" aria-label="Save status" data-status={save.status}>
        {save.status === 'saved' ? 'Saved' : save.status === 'saving' ? 'Saving…' : save.status === 'unsaved' ? 'Unsaved changes' : save.error}
      </span>
      <button onClick={actions.undo} disabled={!props.canUndo} title="Undo (Ctrl+Z)">
        Undo
      </button>
      <button onClick={actions.redo} disabled={!props.canRedo} title="Redo (Ctrl+Shift+Z)">
        Redo
      </button>
      <button onClick={actions.groupSelection} disabled={!props.hasSelection} title="Create a network from the selection (G)">
        Network from selection
      </button>
      <button onClick={actions.layout} title="Auto-layout (L)">
        Layout
      </button>
      <button onClick={actions.fit} title="Fit view (F)">
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
          if (file) void actions.importFile(file);
          e.target.value = '';
        }}
      />
      <button onClick={() => actions.exportFile(props.name)}>Export JSON</button>
      <ExportButton projectId={props.projectId} errorCount={props.errorCount} networks={props.networks} />
      <button onClick={props.onHistory}>History</button>
      <button onClick={props.onTraining} aria-pressed={props.training} className="primary">
        {props.training ? 'Hide training' : 'Training'}
      </button>
      <button onClick={props.onTheme} title="Light or dark theme">
        {props.theme === 'dark' ? 'Light' : 'Dark'}
      </button>
      <button onClick={props.onHelp} title="Keyboard shortcuts (?)">
        ?
      </button>
    </header>
  );
}
