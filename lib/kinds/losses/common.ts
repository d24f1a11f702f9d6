import { z } from 'zod';
import { port } from '../kind';

/** Every loss has one scalar output port, `loss`. */
export const lossOutputs = () => [port('loss')];
export const scalar = { loss: [] as const };
export const targetParam = z.enum(['ones', 'zeros']).default('ones').describe('The constant label: 1 (real) or 0 (fake)');
/** What a constant-target loss compares with, shown on the node. */
export const targetSummary = (p: { target: 'ones' | 'zeros'; smoothing?: number }) =>
  p.target === 'ones' ? `target 1 (real)${p.smoothing ? `, smoothed to ${1 - p.smoothing}` : ''}` : 'target 0 (fake)';
export const label = (target: 'ones' | 'zeros'): 0 | 1 => (target === 'ones' ? 1 : 0);

/** One-sided label smoothing (Salimans et al. 2016): a target of ones becomes 1 - smoothing; zeros stay 0. */
export const smoothingParam = z.number().min(0).max(0.5).default(0).describe('One-sided label smoothing: a target of 1 becomes 1 - this (0.1 gives 0.9); a target of 0 stays 0');
export const smoothedLabel = (target: 'ones' | 'zeros', smoothing: number): number => (target === 'ones' ? 1 - smoothing : 0);
