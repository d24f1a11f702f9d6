'use client';

import { formatBlockParams, parseBlockParams } from '@/lib/graph/blocks';
import { setBlock } from '@/lib/graph/edit';
import type { GraphDoc, Network } from '@/lib/graph/schema';
import { useState } from 'react';

/**
 * The open network's settings, shown while no node is selected: whether it
 * is a block (every call a copy with weights of its own) and the parameters
 * its calls give values to, typed as `channels=32, size=28`.
 */
export function NetworkSettings({ doc, network, onChange }: { doc: GraphDoc; network: Network; onChange(doc: GraphDoc): void }) {
  const [error, setError] = useState<string>();
  const params = network.block?.params ?? [];
  const setParams = (text: string) => {
    const parsed = parseBlockParams(text);
    setError(parsed.ok ? undefined : parsed.error);
    if (parsed.ok) onChange(setBlock(doc, network.id, parsed.value));
  };
  return (
    <aside className="inspector" aria-label="Inspector">
      <h3>
        Network <code>{network.name}</code>
      </h3>
      <p className="muted">Select a node to edit it.</p>
      <label className="check" title="Each call of a block is a copy with weights of its own, sized by the values the call gives its parameters (a residual block used at every size of a U-Net)">
        Block
        <input type="checkbox" aria-label="Block" checked={network.block !== undefined} onChange={(e) => onChange(setBlock(doc, network.id, e.target.checked ? params : undefined))} />
      </label>
      {network.block !== undefined ? (
        <label className={error ? 'invalid' : undefined}>
          Parameters
          <input aria-label="Parameters" placeholder="channels=32, size=28" key={formatBlockParams(params)} defaultValue={formatBlockParams(params)} onBlur={(e) => setParams(e.target.value)} />
          {error ? (
            <small className="error" role="alert">
              {error}
            </small>
          ) : (
            <small className="muted">name=default, separated by commas. A number field of a node here can read one; each call gives its own values.</small>
          )}
        </label>
      ) : (
        <p className="muted">Every call of {network.name} shares its weights.</p>
      )}
    </aside>
  );
}
