'use client';

import { useState } from 'react';
import type { ExportTarget } from '@/codegen/export';

/**
 * Downloads the project's last saved graph as a standalone training project,
 * TypeScript (tfjs) or PyTorch (a zip from /api/projects/:id/export). When the graph
 * cannot be exported, the server's message (naming each problem) is shown
 * instead of downloading it.
 */
export interface ExportButtonProps {
  projectId: string;
  /** Errors the analysis reports now; the button is disabled while there are any. */
  errorCount?: number;
}

export function ExportButton({ projectId, errorCount = 0 }: ExportButtonProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [target, setTarget] = useState<ExportTarget>('typescript');

  async function download() {
    setBusy(true);
    setError(undefined);
    try {
      const response = await fetch(`/api/projects/${encodeURIComponent(projectId)}/export?target=${target}`);
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { error?: string };
        setError(body.error ?? `Export failed (HTTP ${response.status})`);
        return;
      }
      const name = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? 'netloom-project.zip';
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.click();
      // After the click has started the download; revoking at once can cancel it.
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch (e) {
      setError(`Export failed: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  }

  const disabled = busy || errorCount > 0;
  const title =
    errorCount > 0
      ? `Fix the graph's ${errorCount} error(s) to export it`
      : target === 'pytorch'
        ? 'Download a PyTorch project that trains this model (the last saved version), with its data'
        : 'Download a TypeScript project that trains this model with tfjs in Node: WebGPU, CUDA, WASM (the last saved version), with its data';
  return (
    <span className="export-button">
      <select aria-label="Export target" value={target} onChange={(e) => setTarget(e.target.value as ExportTarget)} disabled={busy}>
        <option value="typescript">TypeScript</option>
        <option value="pytorch">PyTorch</option>
      </select>
      <button type="button" onClick={download} disabled={disabled} title={title} aria-busy={busy}>
        {busy ? 'Exporting…' : 'Export project'}
      </button>
      {error && (
        <span role="alert" className="export-error" style={{ whiteSpace: 'pre-wrap' }}>
          {error}
        </span>
      )}
    </span>
  );
}
