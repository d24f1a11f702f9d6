import type { Shape } from '../../lib/kinds/shape';
import type { DatasetRef } from '../../lib/runtime/dataset';

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
