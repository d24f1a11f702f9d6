/**
 * Why an ONNX model could not be built, by kind, so callers choose a response
 * by what happened and never by the wording:
 * - `name`: a graph input or output name is empty or already taken;
 * - `value`: a value name the builder did not make (a writer's bug);
 * - `shape`: a value's shape does not fit the op (a writer's bug, or a graph
 *   analyse() should have refused);
 * - `unsupported`: the op cannot be written exactly in ONNX with these params.
 */
export type OnnxBuildErrorKind = 'name' | 'value' | 'shape' | 'unsupported';

export class OnnxBuildError extends Error {
  constructor(
    readonly kind: OnnxBuildErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'OnnxBuildError';
  }

  /** What the layer being written cannot do (its params or shapes), which the export refuses naming the layer; the rest are writers' bugs. */
  get refusesLayer(): boolean {
    return this.kind === 'unsupported' || this.kind === 'shape';
  }
}

export const buildError = (kind: OnnxBuildErrorKind, message: string): never => {
  throw new OnnxBuildError(kind, message);
};
