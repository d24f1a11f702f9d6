import type { Shape } from '../../lib/kinds/shape';
import type { OnnxBuilder } from './builder';
import type * as onnxOps from './ops';
import type { HostTensor } from './tensor';

/**
 * The ONNX export's forms on the kinds (`forms.onnx`), declared here and
 * merged into lib/kinds/forms.ts's interfaces. Unlike the expression
 * targets, a form builds nodes: it gets the model being built and the op
 * helpers of ops.ts, handed in (a kind may not import codegen, as it gets
 * `tf` rather than importing tfjs), and returns the value name of each
 * output port. An exported network only infers: no `update`, no `training`.
 */
export interface OnnxArgs<P> {
  b: OnnxBuilder;
  /** The op helpers of ops.ts. */
  ops: typeof onnxOps;
  params: P;
  /** Input port -> value name in the model being built (b.shape(name) has its shape). */
  inputs: Readonly<Record<string, string>>;
  /** As analyse() inferred them, in Netloom's order, null for the batch. */
  inputShapes: Readonly<Record<string, Shape>>;
  /** Weight name (as the kind's `weights()` names it) -> the checkpoint's or the initial values; batch norm's moving statistics included. */
  weights: Readonly<Record<string, HostTensor>>;
  /** The node's name in the graph, for readable value names in the file. */
  name: string;
}

/** A layer's ONNX form. */
export interface OnnxOpForm<P> {
  /** Output port -> value name. Refuses with OnnxBuildError('unsupported', reason) what ONNX cannot compute exactly. */
  compute(args: OnnxArgs<P>): Record<string, string>;
}

declare module '../../lib/kinds/forms' {
  interface OpForms<P> {
    /** Nodes computing what `compute` computes outside training. Optional: losses have none, and a network using a kind without one is refused. */
    onnx?: OnnxOpForm<P>;
  }
}
