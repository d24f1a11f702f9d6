import { z } from 'zod';
import { port } from '../kind';

/** Every loss has one scalar output port, `loss`. */
export const lossOutputs = () => [port('loss')];
export const scalar = { loss: [] as const };
export const targetParam = z.enum(['ones', 'zeros']).default('ones').describe('The constant label: 1 (real) or 0 (fake)');
export const label = (target: 'ones' | 'zeros'): 0 | 1 => (target === 'ones' ? 1 : 0);
