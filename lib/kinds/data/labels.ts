import { z } from 'zod';
import { defineSource, port, shapeError } from '../kind';
import { drawParam, objectLiteral, pyLiteral } from '../common';
import { labelBatches } from '../../runtime/batches';

/**
 * Class labels to condition a generator on: one-hot [b, classes], a random
 * class per row for training, or one chosen class. Its previews go in class
 * order, so sample grids show one row per class.
 */
export const labels = defineSource({
  kind: 'labels',
  category: 'data',
  title: 'Class labels',
  doc: 'labels one-hot [b, classes]: a random class per row, or one chosen class; grids show one row per class',
  params: z.object({
    classes: z.number().int().min(1).max(256).default(10).describe("How many classes (the dataset's)"),
    mode: z.enum(['random', 'class']).default('random').describe('random: a class drawn per row; class: every row the chosen class'),
    class: z.number().int().min(0).max(255).default(0).describe('The class every row has in "class" mode'),
    draw: drawParam,
  }),
  example: { params: { classes: 4 }, inputs: {} },
  inputs: () => [],
  outputs: () => [port('labels')],
  // The dataset's classes: a fixed class past the new count falls back to class 0.
  refit: (p, _inputs, _port, wanted) => {
    const classes = wanted[1];
    if (wanted.length !== 2 || wanted[0] !== null || typeof classes !== 'number') return undefined;
    return { params: { classes, ...(p.class >= classes ? { class: 0 } : {}) }, inputs: {} };
  },
  inferShape: (p) => {
    if (p.class >= p.classes) shapeError('labels', `class ${p.class} is not one of the ${p.classes} classes (0-${p.classes - 1})`, `choose a class below ${p.classes}`);
    return { labels: [null, p.classes] };
  },
  datasets: () => [],
  draw: (p) => p.draw,
  bounds: () => ({ labels: [0, 1] }),
  previewRows: (p) => (p.mode === 'random' ? p.classes : 1),
  classes: (p) => ({ port: 'labels', count: p.classes }),
  sampler: (p, env) => labelBatches(p, env.stream),
  forms: {
    typescript: { sampler: ({ params: { draw: _draw, ...spec }, stream }) => `batches.labelBatches(${objectLiteral(spec)}, ${stream})` },
    pytorch: { sampler: ({ params: { draw: _draw, ...spec }, stream }) => `nd.LabelBatches(${pyLiteral(spec)}, ${stream})` },
  },
});
