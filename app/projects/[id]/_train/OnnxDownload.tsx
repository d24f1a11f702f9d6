'use client';

import { useState } from 'react';
import { saveDownload } from '@/app/_lib/download';

/**
 * The run history's "Download G as ONNX": a menu of the run's networks and a
 * link to GET /api/runs/:runId/onnx with the checkpoint's weights. A network
 * that cannot be written as ONNX gets the server's reason, shown in place.
 */
export function OnnxDownload({ runId, checkpointId, networks }: { runId: string; checkpointId: string; networks: readonly { id: string; name: string }[] }) {
  const [network, setNetwork] = useState(networks[0]?.name ?? '');
  const [error, setError] = useState<string>();
  if (networks.length === 0) return null;
  const href = `/api/runs/${encodeURIComponent(runId)}/onnx?network=${encodeURIComponent(network)}&checkpoint=${encodeURIComponent(checkpointId)}`;

  async function save(event: React.MouseEvent<HTMLAnchorElement>) {
    // Asked first, so that a refusal shows its reason instead of downloading the error as a file.
    event.preventDefault();
    setError(undefined);
    const response = await fetch(href).catch((e: Error) => e);
    if (response instanceof Error || !response.ok) {
      const body = response instanceof Error ? { error: response.message } : ((await response.json().catch(() => ({}))) as { error?: string });
      setError(body.error ?? `Download failed (HTTP ${(response as Response).status})`);
      return;
    }
    await saveDownload(response, `${network}.onnx`);
  }

  return (
    <span className="onnx-download">
      <select aria-label="Network to download as ONNX" value={network} onChange={(e) => setNetwork(e.target.value)}>
        {networks.map((n) => (
          <option key={n.id} value={n.name}>
            {n.name}
          </option>
        ))}
      </select>{' '}
      <a href={href} onClick={save} title="This network with the checkpoint's weights, as an ONNX file (opset 17) for onnxruntime">
        Download {network} as ONNX
      </a>
      {error && (
        <span role="alert" className="error">
          {' '}
          {error}
        </span>
      )}
    </span>
  );
}
