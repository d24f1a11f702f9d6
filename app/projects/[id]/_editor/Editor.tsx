'use client';

import { ReactFlowProvider } from '@xyflow/react';
import dynamic from 'next/dynamic';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { analyse } from '@/lib/graph/analyse';
import { datasetsUsed } from '@/lib/graph/datasets';
import { scopeGraph, updateNode } from '@/lib/graph/edit';
import { fitToData } from '@/lib/graph/fit';
import type { GraphDoc } from '@/lib/graph/schema';
import type { RunSummary } from '@/lib/db/runs';
import { lastRun as findLastRun } from '../_train/recovery';
import { Canvas } from './Canvas';
import { FitNotice, type FitReport } from './FitNotice';
import { networkColor } from './flow';
import { HelpOverlay, SHORTCUTS } from './HelpOverlay';
import { HistoryDialog } from './HistoryDialog';
import { Inspector } from './Inspector';
import { NetworkSettings } from './NetworkSettings';
import type { DatasetChoice } from '@/lib/kinds/common';
import { NetworkList } from './NetworkList';
import { Palette } from './Palette';
import { Problems } from './Problems';
import { createEditorStore, type EditorStore } from './store';
import { Toolbar } from './Toolbar';
import { useAutosave } from './useAutosave';
import { useEditorActions } from './useEditorActions';
import { useShortcuts } from './useShortcuts';
import { useTheme } from './useTheme';

// Loaded when first opened: charts and checkpoint handling stay out of the editor's first load.
const TrainingPanel = dynamic(() => import('../_train/TrainingPanel').then((m) => m.TrainingPanel), { ssr: false });

/** How often, and how many times, a project looks again at a last run that is still going when it opens. */
const LAST_RUN_LOOK_MS = 2_000;
const LAST_RUN_LOOKS = 3;

interface Props {
  projectId: string;
  name: string;
  version: number;
  graph: GraphDoc;
  /** What a Dataset node can read: MNIST and the owner's library. */
  datasets: DatasetChoice[];
}

export function Editor(props: Props) {
  const [store] = useState(() => createEditorStore(props.graph));
  return (
    <ReactFlowProvider>
      <EditorInner {...props} store={store} />
    </ReactFlowProvider>
  );
}

/** The editor: toolbar, palette, canvas, and the side lists (networks, inspector, problems), over one store. */
function EditorInner({ projectId, name, version, datasets, store }: Props & { store: EditorStore }) {
  const doc = useStore(store, (s) => s.doc);
  const scope = useStore(store, (s) => s.scope);
  const selectedNodes = useStore(store, (s) => s.selectedNodes);
  const canUndo = useStore(store.temporal, (s) => s.pastStates.length > 0);
  const canRedo = useStore(store.temporal, (s) => s.futureStates.length > 0);
  const analysis = useMemo(() => analyse(doc), [doc]);
  const [theme, toggleTheme] = useTheme();
  const [message, setMessage] = useState<string>();
  const [help, setHelp] = useState(false);
  const [history, setHistory] = useState(false);
  const [fitReport, setFitReport] = useState<FitReport>();
  // undefined until first opened; afterwards the panel stays mounted (hidden) so a run survives closing it.
  const [training, setTraining] = useState<boolean>();
  const [lastRun, setLastRun] = useState<RunSummary>();
  const save = useAutosave(projectId, version, doc);
  const actions = useEditorActions(store, setMessage);
  const toggleHelp = useCallback((open?: boolean) => setHelp((h) => open ?? !h), []);
  const closeHistory = useCallback(() => setHistory(false), []);
  useShortcuts(actions, toggleHelp);

  // The project opens on its last run; one the page lost mid-run (a reload, a closed tab) opens the training drawer, ready to resume.
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = (attempt: number) =>
      findLastRun(projectId).then(
        (run) => {
          if (!live || !run) return;
          setLastRun(run);
          if (run.status === 'interrupted') {
            setTraining(true);
            setTimeout(actions.fit, 60);
          } else if ((run.status === 'running' || run.status === 'paused') && attempt < LAST_RUN_LOOKS) {
            // Still going: another tab trains it, or the tab that did has just closed and its beacon is on its way. Look again shortly.
            timer = setTimeout(() => look(attempt + 1), LAST_RUN_LOOK_MS);
          }
        },
        () => undefined, // the drawer's run history says what failed, when opened
      );
    void look(1);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, when the project opens
  }, [projectId]);

  const selectedNode = selectedNodes.size === 1 ? scopeGraph(doc, scope).nodes.find((n) => selectedNodes.has(n.id)) : undefined;

  /** Fits the layers sized for other data to the data `from` reads, as an edit of its own (undoing it keeps the dataset chosen). */
  const fit = (from: GraphDoc, quiet: boolean, before?: GraphDoc) => {
    const fitted = fitToData(from, before);
    const errors = analyse(fitted.doc).errors.length;
    if (fitted.changes.length > 0) store.getState().setDoc(fitted.doc);
    if (quiet && fitted.changes.length === 0 && errors === 0) return setFitReport(undefined);
    setFitReport({ data: dataName(fitted.doc, datasets), doc: fitted.doc, changes: fitted.changes, errors });
  };
  const editNode = (change: { params?: Record<string, unknown>; label?: string }) => {
    if (!selectedNode) return;
    const next = updateNode(doc, scope, selectedNode.id, change);
    store.getState().setDoc(next);
    // Another dataset: the graph takes its sizes at once (a template drawn for 28x28x1 trains on 32x32x3).
    if (dataKey(next) !== dataKey(doc)) fit(next, true, doc);
  };
  const openNetwork = scope === null ? undefined : doc.networks.find((n) => n.id === scope);
  const scopeName = openNetwork?.name;

  return (
    <div className="editor" data-theme-mode={theme}>
      <Toolbar
        projectId={projectId}
        name={name}
        save={save}
        canUndo={canUndo}
        canRedo={canRedo}
        hasSelection={selectedNodes.size > 0}
        errorCount={analysis.errors.length}
        // A block has no weights of its own to export: the networks that call it carry its copies.
        networks={doc.networks.filter((n) => !n.block)}
        training={!!training}
        theme={theme}
        actions={actions}
        onHistory={() => setHistory(true)}
        onTraining={() => {
          setTraining((t) => !t);
          // The canvas grows or shrinks with the drawer: keep the graph in view.
          setTimeout(actions.fit, 60);
        }}
        onTheme={toggleTheme}
        onHelp={() => setHelp(true)}
      />
      {message && (
        <div className="message" role="alert">
          {message} <button onClick={() => setMessage(undefined)}>Dismiss</button>
        </div>
      )}
      {history && <HistoryDialog projectId={projectId} version={save.version} onClose={closeHistory} onMessage={setMessage} />}
      <div className="workspace">
        <Palette onAdd={(kind) => actions.add(kind)} />
        <div className="canvas-column">
          <nav className="breadcrumb" aria-label="Scope">
            <button onClick={() => store.getState().setScope(null)} aria-current={scope === null ? 'page' : undefined}>
              Main graph
            </button>
            {scopeName && (
              <>
                {' / '}
                <span style={{ color: networkColor(doc, scope!) }}>{scopeName}</span>
              </>
            )}
          </nav>
          <Canvas store={store} analysis={analysis} theme={theme} minimap={!training} onAdd={actions.add} onMessage={setMessage} />
        </div>
        <div className="side">
          <NetworkList doc={doc} scope={scope} onOpen={(id) => store.getState().setScope(id)} onChange={store.getState().setDoc} onMessage={setMessage} />
          {fitReport && <FitNotice report={fitReport} current={doc} onUndo={() => {
                actions.undo();
                setFitReport(undefined);
              }} onClose={() => setFitReport(undefined)} />}
          {!selectedNode && openNetwork ? (
            <NetworkSettings doc={doc} network={openNetwork} onChange={store.getState().setDoc} />
          ) : (
            <Inspector doc={doc} datasets={datasets} node={selectedNode} block={openNetwork?.block} onChange={editNode} onFit={() => fit(doc, false)} />
          )}
          <Problems doc={doc} problems={analysis.problems} memory={analysis.memory} onFocus={actions.focusProblem} />
        </div>
      </div>
      {training !== undefined && (
        <div className="training-drawer" hidden={!training}>
          <TrainingPanel projectId={projectId} doc={doc} analysis={analysis} lastRun={lastRun} onChange={store.getState().setDoc} onMessage={setMessage} />
        </div>
      )}
      {help && <HelpOverlay onClose={() => setHelp(false)} shortcuts={SHORTCUTS} />}
    </div>
  );
}

/** Which datasets a graph reads: when this changes, the graph is fitted to them. */
const dataKey = (doc: GraphDoc) =>
  datasetsUsed(doc)
    .map((ref) => ref.id)
    .sort()
    .join('\u0000');

/** The data a graph reads, as the notice names it: "Tiny RGB (32x32x3)". */
function dataName(doc: GraphDoc, library: readonly DatasetChoice[]): string {
  const ids = [...new Set(datasetsUsed(doc).map((ref) => ref.id))];
  const names = ids.map((id) => {
    const choice = library.find((d) => d.id === id);
    return choice ? `${choice.name} (${choice.height}x${choice.width}x${choice.channels})` : id;
  });
  return names.join(', ') || 'its data';
}
