import { buildError } from './errors';

/** Netloom's padding param, as TensorFlow names it. */
export type Padding = 'SAME' | 'VALID';

/** Output length of a strided window along one axis, as TensorFlow computes it. */
export function windowOut(size: number, kernel: number, stride: number, padding: Padding): number {
  return padding === 'SAME' ? Math.ceil(size / stride) : Math.ceil((size - kernel + 1) / stride);
}

/**
 * Zeros before and after one axis of a window op, as TensorFlow pads: SAME
 * pads (out - 1) * stride + kernel - size in all, the odd one at the end
 * (ONNX's SAME_UPPER, written out so the file does not depend on run-time
 * sizes); VALID pads nothing.
 */
export function windowPads(size: number, kernel: number, stride: number, padding: Padding): [before: number, after: number] {
  if (padding === 'VALID') return [0, 0];
  const total = Math.max((windowOut(size, kernel, stride, padding) - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Output length of a transposed convolution, as Keras' deconv_output_length (and the conv2d-transpose kind) computes it. */
export function transposedOut(size: number, kernel: number, stride: number, padding: Padding): number {
  return padding === 'SAME' ? size * stride : size * stride + Math.max(kernel - stride, 0);
}

/**
 * ConvTranspose's pads and output_padding along one axis for tfjs's
 * conv2dTranspose from `size` to `out`: tfjs computes the gradient of the
 * convolution that maps `out` back to `size`, so the pads are that
 * convolution's, and output_padding adds the trailing positions no window of
 * it covered (zeros, as in the gradient).
 */
export function transposedPads(size: number, out: number, kernel: number, stride: number, padding: Padding): { pads: [number, number]; outputPadding: number } {
  if (windowOut(out, kernel, stride, padding) !== size) {
    buildError('shape', `a transposed convolution cannot map ${size} to ${out} with kernel ${kernel}, stride ${stride}, ${padding}: the convolution of ${out} gives ${windowOut(out, kernel, stride, padding)}`);
  }
  const pads = windowPads(out, kernel, stride, padding);
  const outputPadding = out - (stride * (size - 1) + kernel - pads[0] - pads[1]);
  return { pads, outputPadding };
}
