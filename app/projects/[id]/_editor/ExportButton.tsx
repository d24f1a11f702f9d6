'use client';

import { useState } from 'react';
import { saveDownload } from '@/app/_lib/download';
import { DEFAULT_TARGET, findTarget, TARGET_CATALOG, type TargetId } from '@/codegen/targets/catalog';

/**
 * Downloads the project's last saved graph as one of the export targets
 * (codegen/targets: a TypeScript or PyTorch training project, a zip from
 * /api/projects/:id/export). When the graph cannot be exported, the server's
 * message (naming each problem) is shown instead of downloading it.
 */
export interface ExportButtonProps {
  projectId: string;
  /** Errors the analysis reports now; the button is disabled while there are any. */
  errorCount?: number;
  /** The graph's networks, for a target that writes one of them (ONNX, with the initial weights: a run's are in the run history). */
  networks?: readonly { id: string; name: string }[];
}

export function ExportButton({ projectId, errorCount = 0, networks = [] }: ExportButtonProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [target, setTarget] = useState<TargetId>(DEFAULT_TARGET);
  const [chosenNetwork, setNetwork] = useState<string>();
  const network = networks.find((n) => n.name === chosenNetwork)?.name ?? networks[0]?.name;

  async function download() {
    setBusy(true);
    setError(undefined);
    try {
      const which = findTarget(target)!.network && network !== undefined ? `&network=${encodeURIComponent(network)}` : '';
      const response = await fetch(`/api/projects/${encodeURIComponent(projectId)}/export?target=${encodeURIComponent(target)}${which}`);
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { error?: string };
        setError(body.error ?? `Export failed (HTTP ${response.status})`);
        return;
      }
      await saveDownload(response, 'netloom-project.zip');
    } catch (e) {
      setError(`Export failed: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  }

  const chosen = findTarget(target)!;
  const disabled = busy || errorCount > 0 || (chosen.network === true && network === undefined);
  const title = errorCount > 0 ? `Fix the graph's ${errorCount} error(s) to export it` : chosen.description;
  return (
    <span className="export-button">
      <select aria-label="Export target" value={target} onChange={(e) => setTarget(e.target.value as TargetId)} disabled={busy}>
        {TARGET_CATALOG.map((t) => (
          <option key={t.id} value={t.id}>
            {t.title}
          </option>
        ))}
      </select>
      {chosen.network && (
        <select aria-label="Network to export" value={network ?? ''} onChange={(e) => setNetwork(e.target.value)} disabled={busy}>
          {networks.map((n) => (
            <option key={n.id} value={n.name}>
              {n.name}
            </option>
          ))}
        </select>
      )}
      <button type="button" onClick={download} disabled={disabled} title={title} aria-busy={busy}>
        {busy ? 'Exporting…' : chosen.writes === 'project' ? 'Export project' : 'Export file'}
      </button>
      {error && (
        <span role="alert" className="export-error" style={{ whiteSpace: 'pre-wrap' }}>
          {error}
        </span>
      )}
    </span>
  );
}
