'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { useDropzone, type FileWithPath } from 'react-dropzone';
import type { DatasetSummary } from '@/lib/db/datasets';
import { ConfirmDelete } from '../_components/ConfirmDelete';
import { deleteDatasetAction, renameDatasetAction } from './actions';

type Listed = Omit<DatasetSummary, 'createdAt'> & { createdAt: string };

const megabytes = (bytes: number) => (bytes < 2 ** 20 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 2 ** 20).toFixed(1)} MB`);
/** The preview grid's width on screen: its own, scaled up by a whole factor (crisp pixels) to at least 200 px. */
const previewWidth = (d: Listed) => {
  const natural = Math.min(8, d.trainCount) * (d.width + 2) - 2;
  return natural * Math.max(1, Math.floor(200 / natural));
};
/** A dropped file's path inside what was dropped (folder/class/x.png), or its name. */
const pathOf = (file: FileWithPath) => (file.relativePath || file.path || file.name).replace(/^\.?\/+/, '');

/**
 * Import (drop files or a folder, name it, optionally resize images) and the
 * list of datasets with their preview grid, sizes, classes and pixel range.
 */
export function DatasetLibrary({ datasets, uploadLimit }: { datasets: Listed[]; uploadLimit: number }) {
  const router = useRouter();
  const [files, setFiles] = useState<FileWithPath[]>([]);
  const [name, setName] = useState('');
  const [resize, setResize] = useState('');
  const [channels, setChannels] = useState('auto');
  const [status, setStatus] = useState<{ error?: string; busy?: boolean; done?: string }>({});
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string>();
  const [renaming, setRenaming] = useState<string>();

  const { getRootProps, getInputProps, isDragActive } = useDropzone({
    onDrop: (dropped) => {
      // react-dropzone (file-selector) gives every file its path and relativePath.
      const accepted = dropped as unknown as FileWithPath[];
      setFiles(accepted);
      const first = accepted[0] ? pathOf(accepted[0]) : '';
      if (first && !name) setName(first.split('/')[0]!.replace(/\.(zip|gz|npz|npy|csv)$/i, '').replace(/-idx\d-ubyte$/, ''));
      setStatus({});
    },
  });
  const bytes = files.reduce((n, f) => n + f.size, 0);

  async function upload() {
    if (bytes > uploadLimit) return setStatus({ error: `${megabytes(bytes)} chosen: an import takes at most ${megabytes(uploadLimit)}` });
    const form = new FormData();
    form.set('name', name);
    form.set('paths', JSON.stringify(files.map(pathOf)));
    for (const file of files) form.append('files', file);
    if (resize) form.set('size', resize);
    if (channels !== 'auto') form.set('channels', channels);
    setStatus({ busy: true });
    const started = performance.now();
    const response = await fetch('/api/datasets', { method: 'POST', body: form }).catch(() => undefined);
    const body = (await response?.json().catch(() => undefined)) as { error?: string; name?: string } | undefined;
    if (!response?.ok) return setStatus({ error: body?.error ?? 'The server could not be reached: try again' });
    setStatus({ done: `Imported “${body?.name}” in ${((performance.now() - started) / 1000).toFixed(1)} s` });
    setFiles([]);
    setName('');
    router.refresh();
  }

  const run = (work: () => Promise<{ ok: boolean; error?: { message: string } }>, then?: () => void) =>
    startTransition(async () => {
      const result = await work();
      if (!result.ok) setError(result.error?.message);
      else {
        setError(undefined);
        then?.();
      }
    });

  return (
    <section className="datasets">
      <form
        className="dataset-import"
        aria-label="Import a dataset"
        onSubmit={(e) => {
          e.preventDefault();
          void upload();
        }}
      >
        <h2>Import</h2>
        <div {...getRootProps({ className: `dropzone${isDragActive ? ' active' : ''}` })}>
          <input {...getInputProps({ 'aria-label': 'Dataset files' })} />
          {files.length ? (
            <p>
              {files.length} file{files.length === 1 ? '' : 's'} ({megabytes(bytes)}): {files.slice(0, 3).map(pathOf).join(', ')}
              {files.length > 3 ? ', …' : ''}
            </p>
          ) : (
            <p>
              Drop a folder of PNG or JPEG images (one subfolder per class; <code>train/</code> and <code>test/</code> make splits), IDX files (raw or .gz), NumPy
              .npy/.npz, CSV of pixel rows, or a zip of any of these. Or click to choose files.
            </p>
          )}
        </div>
        <div className="dataset-options">
          <label>
            Name <input aria-label="Dataset name" value={name} maxLength={200} required onChange={(e) => setName(e.target.value)} />
          </label>
          <label title="Images of different sizes need one size: they are resized (and cropped to keep their shape)">
            Images{' '}
            <select aria-label="Resize" value={resize} onChange={(e) => setResize(e.target.value)}>
              <option value="">keep their size</option>
              {['28x28', '32x32', '64x64', '128x128'].map((s) => (
                <option key={s} value={s}>
                  resize to {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Channels{' '}
            <select aria-label="Channels" value={channels} onChange={(e) => setChannels(e.target.value)}>
              <option value="auto">as the images are</option>
              <option value="grey">greyscale</option>
              <option value="rgb">RGB</option>
            </select>
          </label>
          <button type="submit" disabled={files.length === 0 || !name.trim() || status.busy}>
            {status.busy ? 'Importing…' : 'Import'}
          </button>
        </div>
        {status.error && (
          <p role="alert" className="error">
            {status.error}
          </p>
        )}
        {status.done && <p role="status">{status.done}</p>}
      </form>

      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <h2>Library</h2>
      {datasets.length === 0 && <p className="muted">No datasets yet. Graphs can read MNIST, built in.</p>}
      <ul className="dataset-list">
        {datasets.map((d) => (
          <li key={d.id} className="dataset-card" data-dataset={d.name} aria-label={`Dataset ${d.name}`}>
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img src={`/api/datasets/${d.id}/files/preview.png`} alt={`The first images of ${d.name}`} width={previewWidth(d)} className="pixelated" />
            <div className="dataset-facts">
              {renaming === d.id ? (
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    const next = String(new FormData(e.currentTarget).get('name') ?? '');
                    run(() => renameDatasetAction(d.id, next), () => setRenaming(undefined));
                  }}
                >
                  <input name="name" defaultValue={d.name} autoFocus aria-label="New name" maxLength={200} />
                  <button type="submit" disabled={pending}>
                    Save
                  </button>
                  <button type="button" onClick={() => setRenaming(undefined)}>
                    Cancel
                  </button>
                </form>
              ) : (
                <h3>{d.name}</h3>
              )}
              <p>
                {d.testCount ? `${d.trainCount.toLocaleString()} train + ${d.testCount.toLocaleString()} test` : `${d.trainCount.toLocaleString()} images`} · {d.height}×{d.width}×
                {d.channels} ({d.channels === 1 ? 'greyscale' : 'RGB'}) · {megabytes(d.bytes)} · pixels {d.stats.range[0]}–{d.stats.range[1]}
              </p>
              <p className="muted">
                {d.format} from {d.source}
              </p>
              <details>
                <summary>
                  {d.classes} class{d.classes === 1 ? ' (no labels)' : 'es'}
                </summary>
                <table className="class-counts">
                  <thead>
                    <tr>
                      <th>class</th>
                      <th>train</th>
                      {d.stats.classCounts.test && <th>test</th>}
                    </tr>
                  </thead>
                  <tbody>
                    {d.stats.classCounts.train.map((count, k) => (
                      <tr key={k}>
                        <th>{d.stats.classNames?.[k] ?? k}</th>
                        <td>{count.toLocaleString()}</td>
                        {d.stats.classCounts.test && <td>{d.stats.classCounts.test[k]?.toLocaleString()}</td>}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
              <div className="row-actions">
                <button onClick={() => setRenaming(d.id)}>Rename</button>
                <ConfirmDelete name={d.name} onConfirm={() => run(() => deleteDatasetAction(d.id))} />
              </div>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
