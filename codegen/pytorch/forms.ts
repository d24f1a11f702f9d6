import type { ExpressionArgs, ExpressionOpForm, OptimizerExpressionForm, SamplerExpressionForm, SourceExpressionForm } from '../targets/expressions';

/**
 * The PyTorch export's forms on the kinds (`forms.pytorch`), declared here
 * and merged into lib/kinds/forms.ts's interfaces: Python expressions over
 * `torch`, `ops` (netloom/ops.py), `nd` (netloom/data.py) and `optim`
 * (netloom/optim.py), tensors in the app's layouts. A kind prints only its
 * own words (lib/kinds/common.ts refuses any other string); graph text reaches
 * Python through text.ts. Optional: an export that needs a kind without one
 * is refused, naming it.
 */

/** What a layer's or loss's PyTorch form gets: Python expressions (a DrawSite of netloom/philox.py). */
export type TorchArgs<P> = ExpressionArgs<P>;

declare module '../../lib/kinds/forms' {
  interface OpForms<P> {
    /** Python expressions computing what `compute` (and `update`) compute. */
    pytorch?: ExpressionOpForm<TorchArgs<P>>;
  }
  interface SourceForms<P> {
    /** A Python expression over `nd` making a sampler that draws the same values (its stream a key from philox.source_stream). */
    pytorch?: SourceExpressionForm<P>;
  }
  interface OptimizerForms<P> {
    /** A Python expression over `optim` making the same rule over a list of parameters. */
    pytorch?: OptimizerExpressionForm<P>;
  }
  interface SamplerForms<P> {
    /** Python expressions generating what `sample` generates. */
    pytorch?: SamplerExpressionForm<P>;
  }
}
