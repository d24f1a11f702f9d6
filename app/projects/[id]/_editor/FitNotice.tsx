'use client';

import { formatFitChange, type FitChange } from '@/lib/graph/fit';
import type { GraphDoc } from '@/lib/graph/schema';

/** What fitting the graph to its data did, for the notice. */
export interface FitReport {
  /** The data, as people read it: "Tiny RGB (32x32x3)". */
  data: string;
  /** The document the fit made: its undo is offered while it is the one on show. */
  doc: GraphDoc;
  changes: FitChange[];
  /** Errors the graph still has after fitting. */
  errors: number;
}

/** Every param the fit changed, by network and node, with one click to undo the fit (the dataset stays chosen). */
export function FitNotice({ report, current, onUndo, onClose }: { report: FitReport; current: GraphDoc; onUndo(): void; onClose(): void }) {
  const { changes, errors, doc, data } = report;
  const count = `${changes.length} change${changes.length === 1 ? '' : 's'}`;
  const title = changes.length > 0 ? `Fitted to ${data}: ${count}` : errors > 0 ? `Could not fit the graph to ${data}` : `The graph already fits ${data}`;
  return (
    <section className="fit-notice" role="status" aria-label="Fit to data">
      <h3>{title}</h3>
      {changes.length > 0 && (
        <ul aria-label="Changes">
          {changes.map((change) => (
            <li key={`${change.network ?? ''}/${change.node}/${change.field}`}>{formatFitChange(doc, change)}</li>
          ))}
        </ul>
      )}
      {errors > 0 && (
        <p className="error">
          {errors} error{errors === 1 ? '' : 's'} left: {changes.length > 0 ? 'see Problems' : 'no layer sizes give this data\'s shape; see Problems'}.
        </p>
      )}
      <div className="row-actions">
        {changes.length > 0 && current === doc && <button onClick={onUndo}>Undo the fit</button>}
        <button onClick={onClose}>Dismiss</button>
      </div>
    </section>
  );
}
