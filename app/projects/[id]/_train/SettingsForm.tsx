'use client';

import { useState } from 'react';
import { setTraining, type TrainingSettings } from '@/lib/graph/edit';
import { TRAINING_BACKENDS, type GraphDoc } from '@/lib/graph/schema';

const NUMBERS: { key: Exclude<keyof TrainingSettings, 'backend'>; label: string }[] = [
  { key: 'batchSize', label: 'Batch size' },
  { key: 'iterations', label: 'Iterations' },
  { key: 'seed', label: 'Seed' },
  { key: 'sampleEvery', label: 'Samples every' },
];

const BACKEND_LABELS: Record<TrainingSettings['backend'], string> = {
  auto: 'Auto (fastest measured)',
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
    if (next.ok && next.value.training[key] !== doc.training[key]) onChange(next.value);
  };
  return (
    <div className="settings">
      {NUMBERS.map(({ key, label }) => (
        <label key={key} className={errors[key] ? 'invalid' : undefined}>
          {label}
          <input
            type="number"
            aria-label={label}
            key={doc.training[key]}
            defaultValue={doc.training[key]}
            disabled={disabled}
            onBlur={(e) => commit(key, e.target.value === '' ? Number.NaN : Number(e.target.value))}
            onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
          />
          {errors[key] && (
            <small className="error" role="alert">
              {errors[key]}
            </small>
          )}
        </label>
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
    </div>
  );
}
