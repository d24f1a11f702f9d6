import { describe, expect, it } from 'vitest';
import type { GraphContext, KindExample, NodeKind } from '../../../lib/kinds/kind';
import { kinds } from '../../../lib/kinds/registry';
import { inputSize } from '../../../lib/kinds/refit';
import type { Shape } from '../../../lib/kinds/shape';

/**
 * Every kind's refit is the inverse of its inferShape: the params and input
 * shapes it answers give, through the kind's own inferShape, exactly the
 * shape asked for. Asked from each kind's own example, for other sizes of
 * every dimension the output has.
 */
const contextOf = (example: KindExample): GraphContext => ({ network: (id) => example.networks?.find((n) => n.id === id) });

/** Other shapes an output could be asked for: each dimension (and all of them) doubled, and the last one grown by 3. */
function otherShapes(shape: Shape): Shape[] {
  const dims = shape.map((d, i) => (d === null ? -1 : i)).filter((i) => i >= 0);
  const changed = (f: (d: number, i: number) => number) => shape.map((d, i) => (d === null ? d : f(d, i)));
  return [
    ...dims.map((at) => changed((d, i) => (i === at ? d * 2 : d))),
    changed((d) => d * 2),
    changed((d, i) => (i === shape.length - 1 ? d + 3 : d)),
  ];
}

const refitting = kinds.filter((k) => (k.role === 'op' || k.role === 'source') && k.refit);

describe('refit', () => {
  it('is declared by the kinds whose sizes follow the data', () => {
    expect(refitting.map((k) => k.kind).sort()).toEqual(
      [
        ...['activation', 'add', 'batch-norm', 'conv2d', 'conv2d-transpose', 'dense', 'dropout', 'embedding', 'group-norm', 'interpolate', 'max-pool2d', 'reparameterize', 'reshape', 'resize-bilinear', 'scale', 'self-attention', 'time-embedding', 'upsample', 'condition-dropout'],
        // Sources whose shape is a param; a dataset's is the data's.
        ...['labels', 'noise'],
      ].sort(),
    );
  });

  describe.each(refitting.map((k) => [k.kind, k] as const))('%s', (_name, kind: NodeKind) => {
    const { example } = kind;
    const ctx = contextOf(example);
    const params = kind.params.parse(example.params);
    const outputs = kind.inferShape(params, example.inputs, ctx);
    const refit = (kind.role === 'op' || kind.role === 'source') && kind.refit ? kind.refit : undefined;

    it.each(Object.entries(outputs))('gives back each other shape asked of "%s" through its own inferShape', (port, shape) => {
      let reached = 0;
      for (const wanted of otherShapes(shape)) {
        const answer = refit!(params, example.inputs, port, wanted);
        if (!answer) continue;
        reached++;
        const refitted = kind.params.safeParse({ ...example.params, ...answer.params });
        expect(refitted.success, `${JSON.stringify(answer.params)} for ${JSON.stringify(wanted)}`).toBe(true);
        // Inputs it does not name keep their shapes.
        const inputs = { ...example.inputs, ...answer.inputs };
        expect(Object.keys(inputs).sort()).toEqual(Object.keys(example.inputs).sort());
        expect(kind.inferShape(refitted.data, inputs, ctx)[port], `asked ${JSON.stringify(wanted)}`).toEqual(wanted);
      }
      expect(reached, `${kind.kind} reached none of ${JSON.stringify(otherShapes(shape))}`).toBeGreaterThan(0);
    });
  });

  it('declares groups of its own input ports of one shape', () => {
    for (const kind of kinds) {
      if (kind.role !== 'op' || !kind.sameShape) continue;
      const ports = kind.inputs(kind.params.parse(kind.example.params), contextOf(kind.example)).map((p) => p.id);
      for (const group of kind.sameShape) for (const port of group) expect(ports, kind.kind).toContain(port);
    }
  });
});

describe('inputSize', () => {
  const sameStride2 = (n: number) => Math.ceil(n / 2);
  it('keeps the current size where it still gives the output, else takes the largest that does', () => {
    expect(inputSize(7, 13, sameStride2, 20)).toBe(13);
    expect(inputSize(8, 13, sameStride2, 20)).toBe(16);
  });
  it('answers undefined where no size gives the output (a stride-2 transposed convolution never makes 15)', () => {
    expect(inputSize(15, 7, (n) => n * 2, 15)).toBeUndefined();
  });
});
