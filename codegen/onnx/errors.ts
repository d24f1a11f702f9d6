/**
 * Why an ONNX model could not be built, by reason, so callers choose a response
 * by what happened and never by the wording:
 * - `name`: a graph input or output name is empty or already taken;
 * - `value`: a value name the builder did not make (a writer's bug);
 * - `shape`: a value's shape does not fit the op (a writer's bug, or a graph
 *   analyse() should have refused);
 * - `unsupported`: the op cannot be written exactly in ONNX with these params.
 */
export type OnnxBuildReason = 'name' | 'value' | 'shape' | 'unsupported';

/** The reasons that are the layer's own (its params or shapes), which the export refuses naming the layer; the rest are writers' bugs. */
const LAYER_REASONS: ReadonlySet<OnnxBuildReason> = new Set(['unsupported', 'shape']);

export class OnnxBuildError extends Error {
  constructor(
    readonly reason: OnnxBuildReason,
    message: string,
  ) {
    super(message);
    this.name = 'OnnxBuildError';
  }

  /** Whether it is something the layer being written cannot do (see LAYER_REASONS). */
  get refusesLayer(): boolean {
    return LAYER_REASONS.has(this.reason);
  }
}

export const buildError = (reason: OnnxBuildReason, message: string): never => {
  throw new OnnxBuildError(reason, message);
};
