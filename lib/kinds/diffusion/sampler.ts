import { z } from 'zod';
import { formatShape, sameShape } from '../shape';
import { defineSampler, port, shapeError } from '../kind';
import { objectLiteral, pyLiteral } from '../common';
import { isContinuous, sample } from '../../runtime/diffusion';
import { isScheduleTable } from './forward-noise';

/**
 * Generates by running a denoiser many times (lib/runtime/diffusion.ts):
 * DDPM's ancestral steps, DDIM's deterministic ones, or Euler steps along
 * a predicted velocity (flow matching), on the table of the schedule that
 * noised its training data. Its output is what sample grids, scores and
 * `--samples` show. The network takes (x_t, t [b, 1]) and, conditional,
 * class labels; its first output is its prediction.
 */
export const sampler = defineSampler({
  kind: 'sampler',
  category: 'diffusion',
  title: 'Sampler',
  doc: 'noise [b, ...] (x at the schedule\'s end), schedule [K + 1, 2], labels? -> x [b, ...]: the network run steps times, from noise to data',
  params: z
    .object({
      network: z.string().min(1).meta({ widget: 'network' }).describe('The denoiser: (x_t, t[, labels]) -> its prediction'),
      method: z.enum(['ddpm', 'ddim', 'euler']).default('ddim').describe('ddpm: ancestral, fresh noise every step; ddim: deterministic; euler: steps along the velocity (flow matching)'),
      steps: z.number().int().min(1).max(100_000).default(50).describe('How many times the network runs per sample'),
      prediction: z.enum(['eps', 'velocity']).default('eps').describe('What the network was trained to predict: the noise eps, or the velocity dx_t/dt'),
      conditional: z.boolean().default(false).describe('The network also takes class labels (its third input)'),
      guidance: z.number().min(0).max(100).default(1).describe('Classifier-free guidance scale w: uncond + w (cond - uncond); 1: plainly conditioned'),
      clip: z.boolean().default(true).describe("Clamp each estimate of the data to [-1, 1] (data scaled to -1..1)"),
    })
    .refine((p) => p.guidance === 1 || p.conditional, { path: ['guidance'], message: 'a guidance scale needs a conditional model: turn on "conditional" and wire class labels, or set it to 1' }),
  example: {
    params: { network: 'Net', steps: 3 },
    inputs: { noise: [null, 4], schedule: [5, 2] },
    networks: [{ id: 'Net', name: 'Net', inputs: [{ port: 'x', label: 'x', shape: [null, 4] }, { port: 't', label: 't', shape: [null, 1] }], outputs: [{ port: 'y', label: 'y', shape: [null, 4] }] }],
  },
  inputs: (p) => [
    port('noise', 'noise', "Connect a Noise node (normal, mean 0, stddev 1) of the data's shape."),
    port('schedule', 'schedule', 'Connect the Noise schedule node that noises the training data, so sampling steps along the same schedule.'),
    ...(p.conditional ? [port('labels', 'labels', 'Connect Class labels (the classes to generate).')] : []),
  ],
  outputs: () => [port('x')],
  // It generates values of the shape of the noise it starts from.
  refit: (_p, _inputs, _port, wanted) => ({ params: {}, inputs: { noise: wanted } }),
  inferShape(p, inputs, ctx) {
    const network = ctx.network(p.network);
    if (!network) return shapeError(undefined, `runs network "${p.network}", which does not exist`, 'Pick the denoiser network.');
    const [noise, schedule, labels] = [inputs.noise!, inputs.schedule!, inputs.labels];
    const wanted = p.conditional ? 3 : 2;
    if (network.inputs.length !== wanted) {
      shapeError(undefined, `${network.name} takes ${network.inputs.length} inputs; a ${p.conditional ? 'conditional ' : ''}sampler runs it on (x_t, t${p.conditional ? ', labels' : ''})`, `Give ${network.name} the inputs x_t, t [b, 1]${p.conditional ? ' and labels' : ''}, in that order${p.conditional ? '' : ', or turn on "conditional"'}.`);
    }
    const [x, t, classes] = network.inputs;
    if (!sameShape(x!.shape, noise)) shapeError('noise', `${network.name}'s input "${x!.label}" is ${formatShape(x!.shape)}, but the noise is ${formatShape(noise)}`, "Give the noise the data's shape.");
    if (!sameShape(t!.shape, [null, 1])) shapeError(undefined, `${network.name}'s second input "${t!.label}" is ${formatShape(t!.shape)}, not a timestep per row [b, 1]`, `Make ${network.name}'s second input the timestep [b, 1].`);
    if (classes && labels && !sameShape(classes.shape, labels)) shapeError('labels', `${network.name}'s input "${classes.label}" is ${formatShape(classes.shape)}, but the labels are ${formatShape(labels)}`);
    const output = network.outputs[0];
    if (!output) return shapeError(undefined, `${network.name} has no output to sample with`, `Give ${network.name} an output of the data's shape.`);
    if (!output.shape) return shapeError(undefined, `network ${network.name} has errors, so its output has no shape`, `Open ${network.name} and fix its problems.`);
    if (!sameShape(output.shape, noise)) {
      shapeError(undefined, `${network.name}'s output "${output.label}" is ${formatShape(output.shape)}, but it samples ${formatShape(noise)}: its prediction must have the data's shape`, `Make ${network.name} output ${formatShape(noise)}.`);
    }
    if (!isScheduleTable(schedule)) shapeError('schedule', `needs a schedule table [K + 1, 2], got ${formatShape(schedule)}`, 'Connect a Noise schedule node.');
    const intervals = (schedule[0] as number) - 1;
    if (isContinuous(intervals + 1)) {
      if (p.prediction === 'eps') shapeError('schedule', 'on a flow schedule the noise cannot be recovered from eps at t = 1', 'Set prediction to velocity (and train the network on the velocity).');
    } else if (p.steps > intervals) {
      shapeError('schedule', `${p.steps} steps, but the schedule has ${intervals}`, `Use at most ${intervals} steps.`);
    }
    return { x: noise };
  },
  network: (p) => p.network,
  create: (network) => ({ network }),
  initialParams: (graph) => (graph.networks[0] ? { network: graph.networks[0].id } : {}),
  sample: ({ tf, params: { network: _network, conditional: _conditional, ...spec }, inputs, network, noise, onStep }) => ({
    x: sample(tf, network, { noise: inputs.noise!, schedule: inputs.schedule!, labels: inputs.labels }, spec, noise, onStep),
  }),
  forms: {
    typescript: {
      sample: ({ params: { network: _network, conditional: _conditional, ...spec }, inputs, network, noise }) => ({
        x: `diffusion.sample(tf, ${network}, { noise: ${inputs.noise}, schedule: ${inputs.schedule}${inputs.labels ? `, labels: ${inputs.labels}` : ''} }, ${objectLiteral(spec)}, ${noise})`,
      }),
    },
    pytorch: {
      sample: ({ params: { network: _network, conditional: _conditional, ...spec }, inputs, network, noise }) => ({
        x: `diffusion.sample(${network}, ${inputs.noise}, ${inputs.schedule}, ${inputs.labels ?? 'None'}, ${pyLiteral(spec)}, ${noise})`,
      }),
    },
  },
});
