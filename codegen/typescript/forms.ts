import type { ExpressionArgs, ExpressionOpForm, OptimizerExpressionForm, SamplerExpressionForm, SourceExpressionForm } from '../targets/expressions';

/**
 * The TypeScript export's forms on the kinds (`forms.typescript`), declared
 * here and merged into lib/kinds/forms.ts's interfaces: TypeScript
 * expressions over `tf`, `ops` (lib/runtime/ops.ts), `batches` and
 * `optimizers` (the runtime modules). Required: every layer, loss, source and
 * optimizer prints itself in TypeScript, as the app computes it.
 */

/** What a layer's or loss's TypeScript form gets. */
export interface EmitArgs<P> extends ExpressionArgs<P> {
  /** An expression of type GradNeeds, when the exporter tracks which gradients a step needs (as `compute` gets them). */
  needsGrad?: string;
  /** Per output port, an expression for the value computed earlier for the same inputs and weights (may be undefined at run time). */
  known?: Readonly<Record<string, string>>;
}

declare module '../../lib/kinds/forms' {
  interface OpForms<P> {
    /** Expressions over `tf` and `ops` computing what `compute` (and `update`) compute. */
    typescript: ExpressionOpForm<EmitArgs<P>>;
  }
  interface SourceForms<P> {
    /** An expression over `batches` making the same Sampler. */
    typescript: SourceExpressionForm<P>;
  }
  interface OptimizerForms<P> {
    /** An expression over `tf` and `optimizers` making the same updater. */
    typescript: OptimizerExpressionForm<P>;
  }
  interface SamplerForms<P> {
    /** TypeScript expressions generating what `sample` generates. */
    typescript: SamplerExpressionForm<P>;
  }
}
