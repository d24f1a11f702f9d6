import { describe, expect, it } from 'vitest';
import { analyse } from '../../../lib/graph/analyse';
import { setPreview } from '../../../lib/graph/edit';
import type { GraphDoc } from '../../../lib/graph/schema';
import { getTemplate } from '../../../lib/templates';

/** A template as a user's own graph would be: no previews named. */
function unnamed(id: string): GraphDoc {
  const doc = getTemplate(id)!.doc;
  return setPreview(setPreview(doc, 'samples', undefined), 'reconstructions', undefined);
}

const proposed = (doc: GraphDoc) => {
  const { samples, reconstructions } = analyse(doc).previews;
  return {
    samples: samples && { ...samples.ref, range: samples.range, proposed: samples.proposed },
    reconstructions: reconstructions && { ...reconstructions.ref, input: reconstructions.input, range: reconstructions.range },
  };
};

describe('pictures for every graph', () => {
  it('proposes the output of a network fed only by noise as samples, and x -> encoder -> decoder as reconstructions', () => {
    expect(proposed(unnamed('gan'))).toEqual({ samples: { node: 'G_sample', port: 'G_z', range: '0..1', proposed: true }, reconstructions: undefined });
    expect(proposed(unnamed('ali'))).toEqual({
      samples: { node: 'X_hat', port: 'x_hat', range: '0..1', proposed: true },
      reconstructions: { node: 'P_Q_x', port: 'x_hat', input: { node: 'X', port: 'images' }, range: '0..1' },
    });
    // The VAE's data is in [-1, 1]: its grids are mapped from that range.
    expect(proposed(unnamed('vae'))).toEqual({
      samples: { node: 'generate', port: 'x_hat', range: '-1..1', proposed: true },
      reconstructions: { node: 'decode', port: 'x_hat', input: { node: 'X', port: 'images' }, range: '-1..1' },
    });
    expect(proposed(unnamed('conv-ae')).samples).toBeUndefined();
    expect(proposed(unnamed('conv-ae')).reconstructions).toMatchObject({ node: 'decode', input: { node: 'X', port: 'images' } });
  });

  it('lists every port that holds images for the picker, and keeps what the document names', () => {
    const ali = analyse(getTemplate('ali')!.doc).previews;
    expect(ali.candidates.map((c) => c.label)).toEqual(['X_hat', 'P(Q(x))']);
    expect(ali.samples).toMatchObject({ proposed: false });
    expect(analyse(setPreview(getTemplate('ali')!.doc, 'reconstructions', 'none')).previews.reconstructions).toBeUndefined();
  });

  it('says when a graph has no image output', () => {
    const doc = unnamed('gan');
    const withoutGenerator = { ...doc, nodes: doc.nodes.filter((n) => n.id !== 'G_sample'), edges: doc.edges.filter((e) => e.source.node !== 'G_sample' && e.target.node !== 'G_sample') };
    expect(analyse(withoutGenerator).previews).toEqual({ candidates: [] });
  });
});
