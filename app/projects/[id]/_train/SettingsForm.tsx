'use client';

import { useState } from 'react';
import { setTraining, type TrainingSettings } from '@/lib/graph/edit';
import { TRAINING_BACKENDS, type GraphDoc } from '@/lib/graph/schema';

const NUMBERS: { key: Exclude<keyof TrainingSettings, 'backend' | 'guard' | 'evaluation'>; label: string }[] = [
  { key: 'batchSize', label: 'Batch size' },
  { key: 'iterations', label: 'Iterations' },
  { key: 'seed', label: 'Seed' },
  { key: 'sampleEvery', label: 'Samples every' },
];

const DEFAULT_GUARD = { factor: 10, patience: 50 };

const BACKEND_LABELS: Record<TrainingSettings['backend'], string> = {
  auto: 'Auto (fastest)',
  webgpu: 'webgpu',
  webgl: 'webgl',
  wasm: 'wasm',
  cpu: 'cpu',
};

/**
 * The project's training settings: saved with the graph (undo works on them),
 * so export and the CLI train the configuration the user ran. A value the
 * schema refuses stays in its field with the reason, and nothing changes.
 */
export function SettingsForm({ doc, disabled, onChange }: { doc: GraphDoc; disabled: boolean; onChange(doc: GraphDoc): void }) {
  const [errors, setErrors] = useState<Partial<Record<keyof TrainingSettings, string>>>({});
  const commit = (key: keyof TrainingSettings, value: TrainingSettings[keyof TrainingSettings]) => {
    const next = setTraining(doc, { [key]: value });
    setErrors((e) => ({ ...e, [key]: next.ok ? undefined : next.error.replace(/^[^:]*: /, '') }));
    if (next.ok && JSON.stringify(next.value.training[key]) !== JSON.stringify(doc.training[key])) onChange(next.value);
  };
  const guard = doc.training.guard;
  const evaluation = doc.training.evaluation;
  return (
    <div className="settings">
      {NUMBERS.map(({ key, label }) => (
        <NumberField key={key} label={label} value={doc.training[key]} error={errors[key]} disabled={disabled} onCommit={(value) => commit(key, value)} />
      ))}
      <label>
        Backend
        <select value={doc.training.backend} disabled={disabled} aria-label="Backend" onChange={(e) => commit('backend', e.target.value as TrainingSettings['backend'])}>
          {TRAINING_BACKENDS.map((b) => (
            <option key={b} value={b}>
              {BACKEND_LABELS[b]}
            </option>
          ))}
        </select>
      </label>
      <NumberField
        label="Score every"
        value={evaluation.every}
        error={errors.evaluation}
        disabled={disabled}
        onCommit={(every) => commit('evaluation', { ...evaluation, every })}
      />
      <NumberField label="Score samples" value={evaluation.samples} disabled={disabled} onCommit={(samples) => commit('evaluation', { ...evaluation, samples })} />
      <label className="check" title="Stop a run when a loss stays far above its running median (it exploded without turning NaN)">
        <input
          type="checkbox"
          aria-label="Stop when a loss explodes"
          checked={guard !== undefined}
          disabled={disabled}
          onChange={(e) => commit('guard', e.target.checked ? DEFAULT_GUARD : undefined)}
        />
        Stop when a loss explodes
      </label>
      {guard && (
        <>
          <NumberField label="Times its median" value={guard.factor} error={errors.guard} disabled={disabled} onCommit={(factor) => commit('guard', { ...guard, factor })} />
          <NumberField label="For iterations" value={guard.patience} disabled={disabled} onCommit={(patience) => commit('guard', { ...guard, patience })} />
        </>
      )}
    </div>
  );
}

/** A number saved on blur or Enter; an empty field is NaN, which the schema refuses by name. */
function NumberField({ label, value, error, disabled, onCommit }: { label: string; value: number; error?: string; disabled: boolean; onCommit(value: number): void }) {
  return (
    <label className={error ? 'invalid' : undefined}>
      {label}
      <input
        type="number"
        aria-label={label}
        key={value}
        defaultValue={value}
        disabled={disabled}
        onBlur={(e) => onCommit(e.target.value === '' ? Number.NaN : Number(e.target.value))}
        onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
      />
      {error && (
        <small className="error" role="alert">
          {error}
        </small>
      )}
    </label>
  );
}
