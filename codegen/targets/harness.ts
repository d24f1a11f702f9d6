import type { DrawSite, OpKind } from '../../lib/kinds/kind';
import type { Shape } from '../../lib/kinds/shape';

/**
 * A target's conformance harness: it runs the kinds' forms for its target on
 * given values, and tests/integration/codegen/forms.test.ts compares what
 * they give with what the kinds' `compute` and `update` give in tfjs, for
 * every layer and loss kind that has the target's form, on each kind's own
 * example and more. Each target's is `conformance.ts` in its folder, listed
 * in harnesses.ts (for tests only: harnesses load tfjs, Python, runtimes).
 */

/** A tensor's values on the host: float32, row-major, in Netloom's layouts. */
export interface HostValues {
  shape: readonly number[];
  data: Float32Array;
}

/**
 * Which code a case runs: a forward pass outside training (previews,
 * samples, a model deployed), one of a training iteration (batch
 * statistics, dropout's mask), or the update of a kind's state after one.
 */
export type FormPass = 'evaluation' | 'training' | 'update';

export interface FormCase {
  /** For messages: the kind, the example and the pass. */
  name: string;
  kind: OpKind;
  /** Parsed. */
  params: unknown;
  /** As analyse() infers them, null for the batch. */
  inputShapes: Readonly<Record<string, Shape>>;
  inputs: Readonly<Record<string, HostValues>>;
  /** By the names of the kind's `weights()`. */
  weights: Readonly<Record<string, HostValues>>;
  pass: FormPass;
  /** Where a random kind draws. */
  drawSite?: DrawSite;
}

/** Per output port (per state weight, for an update), its values; or why the form could not run. */
export type FormOutcome = { outputs: Record<string, HostValues> } | { error: string };

export interface FormHarness {
  /** The passes its forms print (a target that only infers: evaluation). */
  passes: readonly FormPass[];
  /** The largest difference allowed from tfjs's values, relative to the largest of them (at least 1). */
  tolerance: number;
  /** Runs every case, all at once (one Python process, one checker run), each outcome at its case's index. */
  run(cases: readonly FormCase[]): Promise<FormOutcome[]>;
}
