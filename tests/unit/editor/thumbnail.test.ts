import { describe, expect, it } from 'vitest';
import { graphThumbnail } from '../../../app/_components/thumbnail';
import { getTemplate, templates } from '../../../lib/templates';

describe('the template picker', () => {
  it('has a sentence for every template, shorter than its description', () => {
    for (const t of templates) {
      expect(t.summary.length, t.id).toBeGreaterThan(20);
      expect(t.summary.length, t.id).toBeLessThan(Math.min(200, t.description.length));
    }
  });

  it('pictures a template\'s main graph: a box per node where it lies, a line per edge, calls in their network\'s colour', () => {
    const ali = getTemplate('ali')!.doc;
    const picture = graphThumbnail(ali);
    expect(picture.boxes).toHaveLength(ali.nodes.length);
    expect(picture.lines).toHaveLength(ali.edges.length);
    // Inside its own box, from the origin.
    for (const b of picture.boxes) expect(b.x >= 0 && b.y >= 0 && b.x + b.width <= picture.width && b.y + b.height <= picture.height).toBe(true);
    expect(Math.min(...picture.boxes.map((b) => b.x))).toBe(0);
    const d = ali.networks.find((n) => n.id === 'D')!;
    expect(picture.boxes.filter((b) => b.color === d.color).map((b) => b.label)).toEqual(['D_enc', 'D_gen']);
  });
});
