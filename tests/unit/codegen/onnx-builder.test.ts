import * as tf from '@tensorflow/tfjs';
import { onnx } from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { OnnxBuilder, OPSET, IR_VERSION, float, int } from '@/codegen/onnx/builder';
import * as ops from '@/codegen/onnx/ops';
import { OnnxBuildError } from '@/codegen/onnx/errors';
import { transposedOut, transposedPads, windowOut, windowPads } from '@/codegen/onnx/padding';
import { permute } from '@/codegen/onnx/tensor';
import { tensor } from '../../fixtures/onnx';

/**
 * The ONNX builder's structure, without running anything: TensorFlow's
 * padding arithmetic, names, opset, attributes, the batch axis, and where
 * Transposes go. tests/integration/codegen/onnx-ops.test.ts runs every op
 * helper in onnxruntime against tfjs and asks ONNX's checker.
 */

const nodeTypes = (bytes: Uint8Array) => (onnx.ModelProto.decode(bytes).graph as onnx.GraphProto).node.map((n) => n.opType!);

describe('padding as TensorFlow computes it', () => {
  it('pads SAME with the odd zero at the end, VALID not at all', () => {
    expect(windowPads(5, 3, 2, 'SAME')).toEqual([1, 1]);
    expect(windowPads(6, 3, 2, 'SAME')).toEqual([0, 1]);
    expect(windowPads(6, 4, 1, 'SAME')).toEqual([1, 2]);
    expect(windowPads(7, 1, 2, 'SAME')).toEqual([0, 0]);
    expect(windowPads(6, 3, 2, 'VALID')).toEqual([0, 0]);
    expect([windowOut(5, 3, 2, 'SAME'), windowOut(6, 3, 2, 'SAME'), windowOut(5, 3, 2, 'VALID'), windowOut(6, 3, 2, 'VALID')]).toEqual([3, 3, 2, 2]);
  });

  it('inverts each convolution: output_padding adds the positions no window covers', () => {
    expect(transposedPads(3, transposedOut(3, 3, 2, 'SAME'), 3, 2, 'SAME')).toEqual({ pads: [0, 1], outputPadding: 0 });
    expect(transposedPads(4, transposedOut(4, 1, 2, 'SAME'), 1, 2, 'SAME')).toEqual({ pads: [0, 0], outputPadding: 1 });
    expect(transposedPads(4, transposedOut(4, 1, 2, 'VALID'), 1, 2, 'VALID')).toEqual({ pads: [0, 0], outputPadding: 1 });
    expect(transposedPads(3, transposedOut(3, 4, 2, 'VALID'), 4, 2, 'VALID')).toEqual({ pads: [0, 0], outputPadding: 0 });
    expect(() => transposedPads(3, 9, 3, 2, 'SAME')).toThrow(OnnxBuildError);
  });

  it('permutes host tensors as numpy transposes', () => {
    const t = { data: Float32Array.from({ length: 24 }, (_, i) => i), shape: [2, 3, 4] };
    const moved = permute(t, [2, 0, 1]);
    expect(moved.shape).toEqual([4, 2, 3]);
    expect([...moved.data]).toEqual([...tf.transpose(tf.tensor(t.data, t.shape), [2, 0, 1]).dataSync()]);
  });
});

describe('the builder', () => {
  it('writes opset 17 at IR 8, inputs and outputs named as given with a dynamic batch axis, and typed attributes', () => {
    const b = new OnnxBuilder({ name: 'G' });
    const z = b.input('z', [null, 3]);
    b.reserve('image');
    const y = b.node('LeakyRelu', [z], { hint: 'image', shape: [null, 3] }, { alpha: float(1) });
    expect(y).not.toBe('image');
    b.output('image', b.node('Softmax', [y], { hint: 'y', shape: [null, 3] }, { axis: int(1) }));
    const decoded = onnx.ModelProto.decode(b.encode());
    expect([Number(decoded.irVersion), decoded.opsetImport.map((o) => [o.domain, Number(o.version)])]).toEqual([IR_VERSION, [['', OPSET]]]);
    expect([OPSET, IR_VERSION]).toEqual([17, 8]);
    // Decoded messages are classes with every repeated field present.
    const graph = decoded.graph as onnx.GraphProto;
    expect(graph.name).toBe('G');
    expect(graph.input.map((i) => [i.name, i.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))])).toEqual([['z', ['batch', 3]]]);
    expect(graph.output.map((o) => [o.name, o.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))])).toEqual([['image', ['batch', 3]]]);
    const [leaky, softmax] = graph.node;
    expect(leaky!.attribute![0]).toMatchObject({ name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: 1 });
    expect(softmax!.attribute![0]).toMatchObject({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT });
    const names = [...graph.node.flatMap((n) => n.output), ...graph.input.map((i) => i.name)];
    expect(new Set(names).size).toBe(names.length);
  });

  it('refuses a name twice, an unknown value and an empty name, by kind', () => {
    const b = new OnnxBuilder({ name: 'N' });
    const x = b.input('x', [null, 2]);
    const kind = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof OnnxBuildError ? e.reason : 'other';
      }
      return 'none';
    };
    expect(kind(() => b.input('x', [null, 2]))).toBe('name');
    expect(kind(() => b.input('', [null, 2]))).toBe('name');
    expect(kind(() => b.input('q', [2, null]))).toBe('shape');
    expect(kind(() => b.node('Relu', ['nowhere'], { hint: 'y', shape: [null, 2] }))).toBe('value');
    expect(kind(() => ops.add(b, x, b.input('w', [null, 3])))).toBe('shape');
    b.output('y', x);
    expect(kind(() => b.output('y', x))).toBe('name');
    expect(kind(() => new OnnxBuilder({ name: 'empty' }).encode())).toBe('value');
  });

  it('keeps a conv stack NCHW: one Transpose in, one out, however many convs, pools and norms between', () => {
    const b = new OnnxBuilder({ name: 'stack' });
    const x = b.input('x', [null, 8, 8, 2]);
    const stats = { gamma: tensor([4], 2, 1), beta: tensor([4], 3), movingMean: tensor([4], 4), movingVariance: tensor([4], 5, 1.5), epsilon: 1e-3 };
    const c1 = ops.conv2d(b, x, { kernel: tensor([3, 3, 2, 4], 1), strides: 1, padding: 'SAME', activation: 'relu' });
    const bn = ops.batchNorm(b, ops.maxPool(b, c1, 2, 2, 'SAME'), stats);
    const c2 = ops.conv2d(b, ops.add(b, bn, bn), { kernel: tensor([3, 3, 4, 3], 6), strides: 2, padding: 'VALID', activation: 'tanh' });
    expect([b.shape(c2), b.info(c2).layout]).toEqual([[null, 1, 1, 3], 'nchw']);
    b.output('y', c2);
    b.output('y2', c2);
    const types = nodeTypes(b.encode());
    expect(types.filter((op) => op === 'Transpose')).toHaveLength(2);
    expect(types).toEqual(['Transpose', 'Conv', 'Relu', 'MaxPool', 'BatchNormalization', 'Add', 'Conv', 'Tanh', 'Transpose', 'Identity', 'Identity']);
  });

  it('shares an initializer between two uses of one weight tensor, even when it is permuted for ONNX', () => {
    const b = new OnnxBuilder({ name: 'shared' });
    const kernel = tensor([3, 3, 2, 2], 1);
    const W = tensor([2, 2], 2);
    const conv = (x: string) => ops.conv2d(b, x, { kernel, strides: 1, padding: 'SAME' });
    b.output('y', conv(conv(b.input('x', [null, 4, 4, 2]))));
    b.output('v', ops.dense(b, ops.dense(b, b.input('u', [null, 2]), { kernel: W }), { kernel: W }));
    const graph = onnx.ModelProto.decode(b.encode()).graph as onnx.GraphProto;
    expect(graph.initializer.map((t) => t.dims!.map(Number))).toEqual([[2, 2, 3, 3], [2, 2]]);
  });
});

