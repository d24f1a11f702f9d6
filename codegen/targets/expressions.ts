import type { DrawSite } from '../../lib/kinds/kind';
import type { Shape } from '../../lib/kinds/shape';
import type { DatasetRef } from '../../lib/runtime/dataset';
import type { FormCase } from './harness';

/**
 * The form types that targets printing code as expressions (TypeScript,
 * PyTorch) share: a kind returns expressions of the target's language over
 * the names it is handed. A target that builds its output otherwise (ONNX's
 * nodes) declares its own form types instead.
 */

/** What a layer's or loss's form gets: its params, and an expression for each input, weight and setting. */
export interface ExpressionArgs<P> {
  params: P;
  /** Per input port, an expression of its tensor. */
  inputs: Readonly<Record<string, string>>;
  /** As analyse() inferred them, null for the batch. */
  inputShapes: Readonly<Record<string, Shape>>;
  /** Per weight (as the kind's `weights()` names it), an expression of its tensor. */
  weights: Readonly<Record<string, string>>;
  /** A boolean expression: whether this is a training forward pass (as `compute` gets `training`); absent: false. */
  training?: string;
  /** An expression of a DrawSite: where a random kind draws (as `compute` gets `drawSite`). */
  drawSite?: string;
}

/** A layer's or loss's form: an expression per output port, and for a kind with state, one per state weight after a training pass. */
export interface ExpressionOpForm<A> {
  compute(args: A): Record<string, string>;
  update?(args: A): Record<string, string>;
}

/** What a source's form gets: expressions of its stream, its draws per iteration and its datasets. */
export interface SourceExpressionArgs<P> {
  params: P;
  /** An expression of the source's stream. */
  stream: string;
  /** An expression of how many times an iteration draws from it. */
  drawsPerIteration: string;
  /** An expression of one of the datasets the source declared, loaded. */
  dataset(ref: DatasetRef): string;
}

/** A source's form: an expression of a sampler drawing what `sampler` draws. */
export interface SourceExpressionForm<P> {
  sampler(args: SourceExpressionArgs<P>): string;
}

/** An optimizer's form: an expression of an updater of `variables` (an expression of its list of weights), as `updater` makes. */
export interface OptimizerExpressionForm<P> {
  updater(args: { params: P; variables: string }): string;
}

/** What a sampler's form gets: expressions of its inputs, of the network it runs as a function, and of where it draws its own noise. */
export interface SamplerExpressionArgs<P> {
  params: P;
  /** Per input port, an expression of its tensor. */
  inputs: Readonly<Record<string, string>>;
  /** An expression of a function from the network's inputs, in order, to its first output. */
  network: string;
  /** An expression of its SamplerNoise (lib/runtime/diffusion.ts). */
  noise: string;
}

/** A sampler's form: an expression per output port, generating what `sample` generates. */
export interface SamplerExpressionForm<P> {
  sample(args: SamplerExpressionArgs<P>): Record<string, string>;
}

/** How a target writes what a harness case hands its forms: a name's entry in `inputs` or `weights`, a boolean, a DrawSite. */
export interface CaseSyntax {
  entry(holder: 'inputs' | 'weights', key: string): string;
  boolean(value: boolean): string;
  site(site: DrawSite): string;
}

/** A harness case's expressions, printed by the kind's form of an expression target (its `compute`, or its `update`), or why there are none. */
export function printCase(c: FormCase, form: ExpressionOpForm<ExpressionArgs<unknown>> | undefined, syntax: CaseSyntax): Record<string, string> | string {
  if (!form) return 'no form for this target';
  const entries = (holder: 'inputs' | 'weights', keys: readonly string[]) => Object.fromEntries(keys.map((key) => [key, syntax.entry(holder, key)]));
  const args = {
    params: c.params,
    inputs: entries('inputs', Object.keys(c.inputs)),
    inputShapes: c.inputShapes,
    weights: entries('weights', Object.keys(c.weights)),
    training: syntax.boolean(c.pass !== 'evaluation'),
    drawSite: c.drawSite && syntax.site(c.drawSite),
  };
  try {
    return (c.pass === 'update' ? form.update?.(args) : form.compute(args)) ?? 'no form of its update';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
