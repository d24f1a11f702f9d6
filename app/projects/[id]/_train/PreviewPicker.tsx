'use client';

import { nodeLabel, type Analysis } from '@/lib/graph/analyse';
import { setPreview } from '@/lib/graph/edit';
import type { PreviewCandidate } from '@/lib/graph/previews';
import type { GraphDoc, PortRef } from '@/lib/graph/schema';
import { formatShape } from '@/lib/kinds/shape';

const key = (ref: PortRef) => JSON.stringify([ref.node, ref.port]);
const AUTO = 'auto';
const NONE = 'none';

/** Which ports the grids show: proposed from the graph (automatic), a port the user picks, or none. */
export function PreviewPicker({ doc, analysis, disabled, onChange }: { doc: GraphDoc; analysis: Analysis; disabled: boolean; onChange(doc: GraphDoc): void }) {
  const { candidates, samples, reconstructions } = analysis.previews;
  const chosen = doc.training.previews;
  if (candidates.length === 0) {
    return (
      <p className="muted" data-testid="no-pictures">
        No output of this graph holds a batch of square images, so there are no sample grids or reconstructions to show.
      </p>
    );
  }
  const label = (c: PreviewCandidate) => `${c.label} ${formatShape(c.shape)}`;
  const nameOf = (ref: PortRef | undefined) => {
    if (!ref) return 'nothing found';
    const node = analysis.main.nodes.get(ref.node);
    return candidates.find((c) => key(c.ref) === key(ref))?.label ?? (node ? nodeLabel(node) : ref.node);
  };
  const value = (choice: typeof chosen.samples) => (choice === undefined ? AUTO : choice === 'none' ? NONE : key(choice));
  const withInputs = candidates.filter((c) => c.input);
  return (
    <div className="preview-picker">
      <label>
        Samples
        <select
          aria-label="Samples preview"
          value={value(chosen.samples)}
          disabled={disabled}
          onChange={(e) => {
            const picked = candidates.find((c) => key(c.ref) === e.target.value);
            onChange(setPreview(doc, 'samples', e.target.value === AUTO ? undefined : picked ? { ...picked.ref, range: picked.range } : 'none'));
          }}
        >
          <option value={AUTO}>Automatic ({samples?.proposed ? nameOf(samples.ref) : 'nothing found'})</option>
          {candidates.map((c) => (
            <option key={key(c.ref)} value={key(c.ref)}>
              {label(c)}
            </option>
          ))}
          <option value={NONE}>None</option>
        </select>
      </label>
      <label>
        Reconstructions
        <select
          aria-label="Reconstructions preview"
          value={value(chosen.reconstructions)}
          disabled={disabled}
          onChange={(e) => {
            const picked = withInputs.find((c) => key(c.ref) === e.target.value);
            onChange(setPreview(doc, 'reconstructions', e.target.value === AUTO ? undefined : picked ? { ...picked.ref, range: picked.range, input: picked.input! } : 'none'));
          }}
        >
          <option value={AUTO}>Automatic ({reconstructions?.proposed ? nameOf(reconstructions.ref) : 'nothing found'})</option>
          {withInputs.map((c) => (
            <option key={key(c.ref)} value={key(c.ref)}>
              {label(c)} beside {nameOf(c.input)}
            </option>
          ))}
          <option value={NONE}>None</option>
        </select>
      </label>
    </div>
  );
}
