import { z } from 'zod';
import { objectLiteral } from '../common';
import { formatShape, type Shape } from '../../graph/shape';
import { port, shapeError } from '../kind';

/** Every optimizer takes one loss and names the networks whose weights it updates. */
export const optimizerInputs = () => [port('loss')];
export const noOutputs = () => [];
export const acceptsScalarLoss = (_p: unknown, inputs: Readonly<Record<string, Shape>>) => {
  if (inputs.loss!.length !== 0) shapeError('loss', `expects a scalar loss, got ${formatShape(inputs.loss!)}`, 'Connect the output of a loss node.');
  return {};
};
export const networksParam = z.array(z.string().min(1)).default([]).describe('Networks whose weights this optimizer updates');
export const rate = (fallback: number) => z.number().positive().max(1e3).default(fallback);
export const fraction = (fallback: number) => z.number().min(0).max(1).default(fallback);

/** The code form every optimizer shares: `optimizers.<rule>(tf, variables, settings)`, the settings without the network list. */
export const emitRule =
  (rule: string) =>
  ({ params, variables }: { params: { networks: readonly string[] }; variables: string }): string => {
    const { networks: _networks, ...settings } = params;
    return `optimizers.${rule}(tf, ${variables}, ${objectLiteral(settings)})`;
  };
