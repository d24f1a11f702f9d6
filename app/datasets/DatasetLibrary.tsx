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

const CHANNEL_NAMES: Record<number, string> = { 1: 'greyscale', 3: 'RGB', 4: 'RGBA' };

/** What an import assumed or did to the data (scaled values, a guessed label column, transparency), as a list. */
function Notes({ notes }: { notes: readonly string[] | undefined }) {
  if (!notes?.length) return null;
  return (
    <ul className="dataset-notes" aria-label="Import notes">
      {notes.map((note) => (
        <li key={note}>{note}</li>
      ))}
    </ul>
  );
}

/**
 * Import (drop files or a folder, name it, optionally resize images, choose
 * what transparency becomes, declare an array's range or a CSV's label
 * column and image shape) and the list of datasets with their preview grid,
 * sizes, classes, pixel range and what their import assumed.
 */
export function DatasetLibrary({ datasets, uploadLimit }: { datasets: Listed[]; uploadLimit: number }) {
  const router = useRouter();
  const [files, setFiles] = useState<FileWithPath[]>([]);
  const [name, setName] = useState('');
  const [resize, setResize] = useState('');
  const [channels, setChannels] = useState('auto');
  const [background, setBackground] = useState('white');
  const [range, setRange] = useState('');
  const [label, setLabel] = useState('auto');
  const [shape, setShape] = useState('');
  const [status, setStatus] = useState<{ error?: string; busy?: boolean; done?: string; notes?: string[] }>({});
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
    // Only what the user changed: an option that does not apply to the files dropped is refused, saying so.
    if (background !== 'white') form.set('background', background);
    if (range.trim()) form.set('range', range.trim());
    if (label !== 'auto') form.set('label', label);
    if (shape.trim()) form.set('shape', shape.trim());
    setStatus({ busy: true });
    const started = performance.now();
    const response = await fetch('/api/datasets', { method: 'POST', body: form }).catch(() => undefined);
    const body = (await response?.json().catch(() => undefined)) as { error?: string; name?: string; stats?: { notes?: string[] } } | undefined;
    if (!response?.ok) return setStatus({ error: body?.error ?? 'The server could not be reached: try again' });
    setStatus({ done: `Imported “${body?.name}” in ${((performance.now() - started) / 1000).toFixed(1)} s`, notes: body?.stats?.notes ?? [] });
    setFiles([]);
    setName('');
    // What the values and columns of those files meant: another file means its own (a stale label column would misread it).
    setRange('');
    setLabel('auto');
    setShape('');
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
          <label title="Transparent pixels of PNGs: composited over white (dark glyphs stay visible) or black, or kept as a fourth channel">
            Transparency{' '}
            <select aria-label="Transparency" value={background} onChange={(e) => setBackground(e.target.value)}>
              <option value="white">over white</option>
              <option value="black">over black</option>
              <option value="alpha">keep as alpha (RGBA)</option>
            </select>
          </label>
        </div>
        <div className="dataset-options">
          <label title="What the values of a NumPy array or CSV mean, black to white. Empty: 0-255, [0, 1] or [-1, 1], and small whole numbers (such as 0-16) scaled from 0 to their maximum">
            Pixel range <input aria-label="Pixel range" value={range} placeholder="auto, e.g. 0-16" size={12} onChange={(e) => setRange(e.target.value)} />
          </label>
          <label title="Which CSV column holds the labels. Auto: a column named label, class, y or target, or the first or last column when the others make a square image">
            Label column{' '}
            <select aria-label="Label column" value={label} onChange={(e) => setLabel(e.target.value)}>
              <option value="auto">auto</option>
              <option value="first">first</option>
              <option value="last">last</option>
              <option value="none">none</option>
            </select>
          </label>
          <label title="The image one CSV row holds: HEIGHTxWIDTH, or HEIGHTxWIDTHx3 for RGB. Auto: a square from the column count">
            Image shape <input aria-label="Image shape" value={shape} placeholder="auto, e.g. 8x8" size={12} onChange={(e) => setShape(e.target.value)} />
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
        {status.done && (
          <div role="status">
            <p>{status.done}</p>
            <Notes notes={status.notes} />
          </div>
        )}
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
                {d.channels} ({CHANNEL_NAMES[d.channels] ?? `${d.channels} channels`}) · {megabytes(d.bytes)} · pixels {d.stats.range[0]}–{d.stats.range[1]}
              </p>
              <Notes notes={d.stats.notes} />
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
