import { z } from 'zod';
import { objectLiteral, pyLiteral } from '../common';
import { formatShape, type Shape } from '../shape';
import { port, shapeError } from '../kind';

const LOSS = 'loss';

/** What every optimizer shares: one scalar loss in, nothing out, and the networks whose weights it updates. */
export const optimizerStructure = {
  lossPort: LOSS,
  inputs: () => [port(LOSS)],
  outputs: () => [],
  inferShape(_p: unknown, inputs: Readonly<Record<string, Shape>>) {
    if (inputs[LOSS]!.length !== 0) shapeError(LOSS, `expects a scalar loss, got ${formatShape(inputs[LOSS]!)}`, 'Connect the output of a loss node.');
    return {};
  },
  networks: (p: { networks: readonly string[] }) => p.networks,
  withNetworks: (p: Record<string, unknown>, networks: readonly string[]) => ({ ...p, networks: [...networks] }),
  example: { params: { networks: ['Net'] }, inputs: { [LOSS]: [] } },
};

export const networksParam = z.array(z.string().min(1)).default([]).meta({ widget: 'networks' }).describe('Networks whose weights this optimizer updates');
export const rate = (fallback: number) => z.number().positive().max(1e3).default(fallback).describe('Learning rate');
export const fraction = (fallback: number, description: string) => z.number().min(0).max(1).default(fallback).describe(description);
export const epsilon = (fallback: number) => z.number().min(0).default(fallback).describe('Added to the denominator for numerical stability');

/** The PyTorch form every optimizer shares: `optim.<Rule>(parameters, **settings)` (netloom/optim.py, TF1's rules). */
export const torchRule =
  (rule: string) =>
  ({ params, variables }: { params: { networks: readonly string[] }; variables: string }): string => {
    const { networks: _networks, ...settings } = params;
    return `optim.${rule}(${[variables, ...Object.entries(settings).map(([key, value]) => `${key}=${pyLiteral(value)}`)].join(', ')})`;
  };

/** The TypeScript form every optimizer shares: `optimizers.<rule>(tf, variables, settings)`, the settings without the network list. */
export const emitRule =
  (rule: string) =>
  ({ params, variables }: { params: { networks: readonly string[] }; variables: string }): string => {
    const { networks: _networks, ...settings } = params;
    return `optimizers.${rule}(tf, ${variables}, ${objectLiteral(settings)})`;
  };
