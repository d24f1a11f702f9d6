import type * as tfjs from '@tensorflow/tfjs';
import type { OptimizerUpdater, Tensor } from '../kinds/kind';
import type { WeightStore } from './variables';

/** Everything a checkpoint holds so that training continues where it was. */
export interface ProgramState {
  iteration: number;
  /** Weights by `network/node/weight`, optimizer slots by `<optimizer node>/slot<k>`. */
  tensors: ReadonlyMap<string, Tensor>;
  /** Each optimizer's update count (Adam's bias correction depends on it). */
  optimizerSteps: Readonly<Record<string, number>>;
}

type Updaters = ReadonlyMap<string, { updater: OptimizerUpdater; variables: tfjs.Variable[] }>;

const slotName = (optimizer: string, k: number) => `${optimizer}/slot${k}`;

/** The live tensors of the weights and optimizer slots: read them before the next step. */
export function captureState(iteration: number, store: WeightStore, updaters: Updaters): ProgramState {
  const tensors = new Map<string, Tensor>(store.byName);
  const optimizerSteps: Record<string, number> = {};
  for (const [node, { updater }] of updaters) {
    const { step, slots } = updater.state();
    optimizerSteps[node] = step;
    slots.forEach((slot, k) => tensors.set(slotName(node, k), slot));
  }
  return { iteration, tensors, optimizerSteps };
}

/** Assigns a saved state, after checking it holds everything this program has (nothing changes otherwise). */
export function restoreState(state: ProgramState, store: WeightStore, updaters: Updaters): void {
  const weights = new Map([...state.tensors].filter(([name]) => store.byName.has(name)));
  const missing = [...store.byName.keys()].filter((name) => !weights.has(name));
  if (missing.length) throw new Error(`the checkpoint lacks weight(s) ${missing.join(', ')}: it was saved from a different graph`);
  const updates: (() => void)[] = [];
  for (const [node, { updater }] of updaters) {
    const count = updater.state().slots.length;
    const slots = Array.from({ length: count }, (_, k) => state.tensors.get(slotName(node, k)));
    const step = state.optimizerSteps[node];
    if (step === undefined || slots.some((s) => !s)) throw new Error(`the checkpoint lacks the state of optimizer "${node}": it was saved from a different graph`);
    updates.push(() => updater.restore({ step, slots: slots as Tensor[] }));
  }
  store.assign(weights);
  updates.forEach((apply) => apply());
}
