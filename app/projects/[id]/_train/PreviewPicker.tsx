'use client';

import { nodeLabel, type Analysis, type ResolvedPreview } from '@/lib/graph/analyse';
import { setPreview } from '@/lib/graph/edit';
import type { PreviewCandidate } from '@/lib/graph/previews';
import type { GraphDoc, PortRef, Previews } from '@/lib/graph/schema';
import { formatShape } from '@/lib/kinds/shape';

const key = (ref: PortRef) => JSON.stringify([ref.node, ref.port]);
const AUTO = 'auto';
const NONE = 'none';

/** Which ports the grids show: proposed from the graph (automatic), a port the user picks, or none. */
export function PreviewPicker({ doc, analysis, disabled, onChange }: { doc: GraphDoc; analysis: Analysis; disabled: boolean; onChange(doc: GraphDoc): void }) {
  const { candidates, samples, reconstructions } = analysis.previews;
  if (candidates.length === 0) {
    return (
      <p className="muted" data-testid="no-pictures">
        No output of this graph holds a batch of square images, so there are no sample grids or reconstructions to show.
      </p>
    );
  }
  const nameOf = (ref: PortRef) => {
    const node = analysis.main.nodes.get(ref.node);
    return candidates.find((c) => key(c.ref) === key(ref))?.label ?? (node ? nodeLabel(node) : ref.node);
  };
  const choose = <K extends keyof Previews>(which: K, choice: Previews[K]) => onChange(setPreview(doc, which, choice));
  return (
    <div className="preview-picker">
      <PreviewSelect
        label="Samples"
        chosen={doc.training.previews.samples}
        resolved={samples}
        options={candidates.map((c) => ({ candidate: c, text: `${c.label} ${formatShape(c.shape)}` }))}
        nameOf={nameOf}
        disabled={disabled}
        onChoose={(c) => choose('samples', c === undefined || c === 'none' ? c : { ...c.ref, range: c.range })}
      />
      <PreviewSelect
        label="Reconstructions"
        chosen={doc.training.previews.reconstructions}
        resolved={reconstructions}
        options={candidates.filter((c) => c.input).map((c) => ({ candidate: c, text: `${c.label} ${formatShape(c.shape)} beside ${nameOf(c.input!)}` }))}
        nameOf={nameOf}
        disabled={disabled}
        onChoose={(c) => choose('reconstructions', c === undefined || c === 'none' ? c : { ...c.ref, range: c.range, input: c.input! })}
      />
    </div>
  );
}

/** One grid's choice: automatic (undefined), a candidate, or none. */
function PreviewSelect(props: {
  label: string;
  chosen: PortRef | 'none' | undefined;
  resolved: ResolvedPreview | undefined;
  options: { candidate: PreviewCandidate; text: string }[];
  nameOf(ref: PortRef): string;
  disabled: boolean;
  onChoose(choice: PreviewCandidate | 'none' | undefined): void;
}) {
  const { chosen, resolved } = props;
  const value = chosen === undefined ? AUTO : chosen === 'none' ? NONE : key(chosen);
  return (
    <label>
      {props.label}
      <select
        aria-label={`${props.label} preview`}
        value={value}
        disabled={props.disabled}
        onChange={(e) => props.onChoose(e.target.value === AUTO ? undefined : (props.options.find((o) => key(o.candidate.ref) === e.target.value)?.candidate ?? 'none'))}
      >
        <option value={AUTO}>Automatic ({resolved?.proposed ? props.nameOf(resolved.ref) : 'nothing found'})</option>
        {props.options.map(({ candidate, text }) => (
          <option key={key(candidate.ref)} value={key(candidate.ref)}>
            {text}
          </option>
        ))}
        <option value={NONE}>None</option>
      </select>
    </label>
  );
}
