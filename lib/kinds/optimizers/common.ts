import { z } from 'zod';
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
