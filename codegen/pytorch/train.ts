import { formatShape, type Shape } from '../../lib/kinds/shape';
import { hasModes, hasRandomLayers, type BatchedCallInstr, type MainInstr, type NetworkPlan, type PreviewPlan, type SampleInstr, type SourceInstr, type SourcePlan, type StepPlan, type TrainingPlan, type ValueId } from '../../lib/plan/plan';
import type { SourcePurpose } from '../../lib/runtime/random';
import { datasetKey } from '../../lib/runtime/dataset';
import { GENERATE_CHUNK } from '../../lib/runtime/grid';
import { PyNamer } from './names';
import { pyCommentText, pyDocText, pyString, pyValue } from './text';

/**
 * TrainingPlan -> train.py: one torch.nn.Module per network, the data
 * streams, TF1's optimizers, the schedule as a plain loop and a command line
 * that prints the same JSON lines as `npm run train -- --json`. Small writers,
 * one per plan element; the kinds print their own layers, losses, sources and
 * optimizers (their `forms.pytorch`). Names from the graph become identifiers
 * through PyNamer; every other string from the graph goes through text.ts
 * (string literals, comments, docstrings).
 */
const INDENT = '    ';
const py = pyString;
const indent = (lines: readonly string[], depth = 1) => lines.map((line) => (line ? INDENT.repeat(depth) + line : line));

/** Whether some call takes its input gradient. */
const usesInputGradients = (plan: TrainingPlan) =>
  [...plan.sections.flat(), ...plan.steps.flatMap((s) => s.body), ...plan.networks.flatMap((n) => n.body)].some((i) => i.type === 'call' && i.inputGradient !== undefined);

interface Names {
  module: PyNamer;
  networks: Map<string, { cls: string; attrs: Map<string, string>; inputs: string[] }>;
  sources: Map<string, string>;
}

function nameEverything(plan: TrainingPlan): Names {
  const module = new PyNamer();
  const networks = new Map(
    plan.networks.map((network) => {
      const cls = module.name(network.name);
      const own = new PyNamer();
      const attrs = new Map(network.weights.map((w) => [w.name, own.name(`${w.label}_${w.weight}`)]));
      const locals = new PyNamer();
      const inputs = network.inputs.map((input) => locals.name(input.label));
      return [network.id, { cls, attrs, inputs }] as const;
    }),
  );
  const keys = new PyNamer();
  const sources = new Map(plan.sources.map((s) => [s.key, keys.name(s.network ? `${s.network}_${s.label}` : s.label)]));
  return { module, networks, sources };
}

const shapeOf = (shape: Shape, batch: string) => shape.map((d) => (d === null ? batch : String(d))).join(', ');

function writeNetwork(plan: TrainingPlan, names: Names, network: NetworkPlan): string[] {
  const own = names.networks.get(network.id)!;
  const locals = new PyNamer();
  own.inputs.forEach((name) => locals.name(name));
  const values = new Map<ValueId, string>(network.inputs.map((input, i) => [input.value, own.inputs[i]!]));
  const body: string[] = [];
  for (const instr of network.body) {
    if (instr.type === 'apply') {
      const args = {
        params: instr.params,
        inputs: Object.fromEntries(Object.entries(instr.inputs).map(([port, value]) => [port, values.get(value)!])),
        inputShapes: instr.inShapes,
        weights: Object.fromEntries(Object.entries(instr.weights).map(([key, weight]) => [key, `self.${own.attrs.get(weight.name)}`])),
        training: 'nets.mode.training',
        drawSite: instr.kind.random ? `at.below(${py(instr.node)})` : undefined,
      };
      const code = instr.kind.forms.pytorch!.compute(args);
      for (const port of Object.keys(instr.outputs)) {
        const variable = locals.name(Object.keys(instr.outputs).length === 1 ? instr.label : `${instr.label}_${port}`);
        body.push(`${variable} = ${code[port]}`);
        values.set(instr.outputs[port]!, variable);
      }
      const updates = instr.kind.forms.pytorch!.update?.(args);
      if (updates && instr.needs.weights.networks.length) {
        // Moving statistics follow the batches of the steps that train this network.
        const trains = `{${instr.needs.weights.networks.map((id) => py(id)).join(', ')}}`;
        body.push(`if nets.mode.training and nets.mode.trains & ${trains}:`, ...indent(['with torch.no_grad():', ...indent(Object.entries(updates).map(([key, expression]) => `${args.weights[key]}.copy_(${expression})`))]));
      }
    } else {
      const variable = locals.name(instr.label);
      const callee = names.networks.get(instr.network.id)!;
      const at = drawsAt(plan, 'at', instr.node);
      body.push(`${variable} = nets.${callee.cls}(nets, ${[...instr.args.map((v) => values.get(v)!), ...at].join(', ')})`);
      if (instr.inputGradient !== undefined) {
        body.push(...writeInputGradient(`nets.${callee.cls}`, 'nets', instr.args.map((v) => values.get(v)!), locals, instr.label, (v) => values.set(instr.inputGradient!, v), at));
      }
      instr.outputs.forEach((value, i) => values.set(value, `${variable}[${i}]`));
    }
  }
  body.push(`return (${network.outputs.map((o) => values.get(o.value)!).join(', ')},)`);
  const describe = (items: readonly { label: string; shape: Shape }[]) => items.map((i) => `${pyDocText(i.label)} ${formatShape(i.shape)}`).join(', ') || 'nothing';
  const weights = network.weights.map(
    (w) => `self.${own.attrs.get(w.name)} = weight(seed, ${py(w.name)}, ${pyValue(w.shape)}, ${pyValue(w.init)}, ${pyValue(w.fans)}${w.trainable ? '' : ', False'})`,
  );
  return [
    `class ${own.cls}(torch.nn.Module):`,
    ...indent([
      `"""Network ${pyDocText(network.name)}: ${describe(network.inputs.filter((i) => !i.source))} -> ${describe(network.outputs)}.`,
      '',
      'Weights in the app\'s layouts and names (`network/node/weight`), drawn as the app draws them; `nets` is the Model, for the networks it calls."""',
      '',
      `WEIGHTS = {${network.weights.map((w) => `${py(w.name)}: ${py(own.attrs.get(w.name)!)}`).join(', ')}}`,
      '',
      'def __init__(self, seed):',
      ...indent(['super().__init__()', ...weights]),
      '',
      `def forward(self, nets, ${[...own.inputs, ...(hasRandomLayers(plan) ? ['at=philox.EVALUATION_SITE'] : [])].join(', ')}):`,
      ...indent(body),
    ]),
  ];
}

interface MainContext {
  plan: TrainingPlan;
  names: Names;
  namer: PyNamer;
  values: Map<ValueId, string>;
  /** An expression of a source instruction's drawn values (a dict of flat tensors by port), and the batch size expression. */
  draw(instr: SourceInstr): { values: string; batch: string };
  /** An expression of where sampler `node` draws its own noise (a diffusion.SamplerNoise), where the instructions may sample (previews). */
  samplerNoise?(node: string): string;
  /** Training draws: each process keeps its rows of the global batch. */
  shared?: boolean;
  /** The networks this step trains: its calls go through their DistributedDataParallel wrappers. */
  trains?: ReadonlySet<string>;
}

function writeInstructions(ctx: MainContext, instrs: readonly MainInstr[]): string[] {
  return instrs.flatMap((instr) => {
    if (instr.type === 'batched-call') return writeBatchedCall(ctx, instr);
    const name = ctx.namer.name(instr.label);
    if (instr.type === 'source') {
      const { values, batch } = ctx.draw(instr);
      const drawn = ctx.namer.name(`${name}_drawn`);
      return [
        `${drawn} = ${values}`,
        ...Object.entries(instr.outputs).map(([port, value]) => {
          const variable = Object.keys(instr.outputs).length === 1 ? name : ctx.namer.name(`${name}_${port}`);
          ctx.values.set(value, variable);
          const shape = instr.source.ports.find((p) => p.port === port)!.shape;
          const drawnTensor = `${drawn}[${py(port)}].reshape(${shapeOf(shape, batch)})`;
          return `${variable} = ${ctx.shared && shape[0] === null ? `loop.share(${drawnTensor})` : drawnTensor}`;
        }),
      ];
    }
    if (instr.type === 'apply') {
      const code = instr.kind.forms.pytorch!.compute({
        params: instr.params,
        inputs: Object.fromEntries(Object.entries(instr.inputs).map(([port, value]) => [port, ctx.values.get(value)!])),
        inputShapes: instr.inShapes,
        weights: {},
      });
      const ports = Object.keys(instr.outputs);
      // A sum over the batch counts once per process when gradients are averaged across processes (loop.WORLD is 1 in one process).
      const perProcess = instr.kind.batchReduction?.(instr.params) === 'sum';
      return ports.map((port) => {
        const variable = ports.length === 1 ? name : ctx.namer.name(`${name}_${port}`);
        ctx.values.set(instr.outputs[port]!, variable);
        return `${variable} = ${perProcess ? `${code[port]} * loop.WORLD` : code[port]}`;
      });
    }
    if (instr.type === 'sample') return writeSample(ctx, instr, name);
    const callee = ctx.names.networks.get(instr.network.id)!;
    instr.outputs.forEach((value, i) => ctx.values.set(value, `${name}[${i}]`));
    const network = ctx.trains?.has(instr.network.id) ? `loop.trained(model.${callee.cls})` : `model.${callee.cls}`;
    const args = instr.args.map((v) => ctx.values.get(v)!);
    const at = drawsAt(ctx.plan, 'model.mode.site', instr.node);
    const gradient = instr.inputGradient === undefined ? [] : writeInputGradient(`model.${callee.cls}`, 'model', args, ctx.namer, instr.label, (v) => ctx.values.set(instr.inputGradient!, v), at);
    return [`${name} = ${network}(model, ${[...args, ...at].join(', ')})`, ...gradient];
  });
}

/** `x = diffusion.sample(lambda args: model.Net(model, *args)[0], ...)`: the network as a function of its inputs, run at every step. */
function writeSample(ctx: MainContext, instr: SampleInstr, name: string): string[] {
  if (!ctx.samplerNoise) throw new Error(`sampler ${instr.label} outside an evaluation`);
  const callee = ctx.names.networks.get(instr.network.id)!;
  const args = ctx.namer.name(`${name}_args`);
  const inputs = Object.fromEntries(Object.entries(instr.inputs).map(([port, value]) => [port, ctx.values.get(value)!]));
  const code = instr.kind.forms.pytorch!.sample({ params: instr.params, inputs, network: `lambda ${args}: model.${callee.cls}(model, *${args})[0]`, noise: ctx.samplerNoise(instr.node) });
  const ports = Object.keys(instr.outputs);
  return ports.map((port) => {
    const variable = ports.length === 1 ? name : ctx.namer.name(`${name}_${port}`);
    ctx.values.set(instr.outputs[port]!, variable);
    return `${variable} = ${code[port]}`;
  });
}

/**
 * Calls of one network as one pass over their batches joined (torch.cat),
 * each output split back into each call's rows: `a, b = zip(*(...))` gives
 * each call the tuple of its outputs, as a plain call's result.
 */
function writeBatchedCall(ctx: MainContext, instr: BatchedCallInstr): string[] {
  const callee = ctx.names.networks.get(instr.network.id)!;
  const names = instr.calls.map((call) => ctx.namer.name(call.label));
  const joined = ctx.namer.name(names.join('_'));
  const network = ctx.trains?.has(instr.network.id) ? `loop.trained(model.${callee.cls})` : `model.${callee.cls}`;
  const args = instr.network.inputs.map((_, i) => `torch.cat([${instr.calls.map((call) => ctx.values.get(call.args[i]!)!).join(', ')}])`);
  const rows = `[${instr.calls.map((call) => `${ctx.values.get(call.args[0]!)}.shape[0]`).join(', ')}]`;
  instr.calls.forEach((call, c) => call.outputs.forEach((value, o) => ctx.values.set(value, `${names[c]}[${o}]`)));
  return [
    `# ${instr.calls.map((call) => pyCommentText(call.label)).join(' and ')}: one pass over their batches joined.`,
    `${joined} = ${network}(model, ${[...args, ...drawsAt(ctx.plan, 'model.mode.site', instr.node)].join(', ')})`,
    `${names.join(', ')} = zip(*(torch.split(output, ${rows}) for output in ${joined}))`,
  ];
}

/**
 * A call's input gradient: the gradient of the sum of the network's first
 * output with respect to its first argument, kept in the graph
 * (create_graph) so that training differentiates it again. The plain module,
 * not its DistributedDataParallel wrapper, which has no double backward.
 */
function writeInputGradient(module: string, nets: string, args: readonly string[], namer: PyNamer, label: string, bind: (variable: string) => void, at: readonly string[]): string[] {
  const input = namer.name(`${label}_input`);
  const gradient = namer.name(`${label}_gradient`);
  bind(gradient);
  return [
    `${input} = ${args[0]} if ${args[0]}.requires_grad else ${args[0]}.detach().requires_grad_()`,
    'with torch.enable_grad():',
    ...indent([`${gradient} = torch.autograd.grad(${module}(${nets}, ${[input, ...args.slice(1), ...at].join(', ')})[0].sum(), ${input}, create_graph=True)[0]`]),
  ];
}

/** The keyword argument that passes a call of node `node` where its random layers draw (the site `at`, extended), where the graph has such layers. */
function drawsAt(plan: TrainingPlan, at: string, node: string): string[] {
  return hasRandomLayers(plan) ? [`at=${at}.below(${py(node)})`] : [];
}

/** One optimizer step (its rounds in a loop when repeated); `mode(round)`: the line that sets the forward passes' mode, given the round's expression. */
function writeStep(ctx: MainContext, step: StepPlan, mode?: (round: string | undefined) => string): string[] {
  const inner: MainContext = { ...ctx, namer: ctx.namer.child(), values: new Map(ctx.values), trains: new Set(step.optimizer.networks), draw: drawTraining(ctx.names, step.repeat > 1) };
  // Trained networks this step calls only from inside other networks have no wrapper to reduce their gradients: minimize does.
  const called = new Set(step.body.flatMap((instr) => (instr.type === 'call' || instr.type === 'batched-call' ? [instr.network.id] : [])));
  const unreduced = step.optimizer.networks.filter((id) => !called.has(id)).map((id) => `model.${ctx.names.networks.get(id)!.cls}`);
  const instructions = writeInstructions(inner, step.body);
  const minimize = `minimize(optimizers[${py(step.optimizer.node)}], ${inner.values.get(step.loss)}${unreduced.length ? `, [${unreduced.join(', ')}]` : ''})`;
  const body = [...(mode && step.repeat > 1 ? [mode('round_')] : []), ...instructions, `losses[${py(step.lossName)}] = ${minimize}`];
  const networks = step.optimizer.networks.map((id) => ctx.plan.networks.find((n) => n.id === id)!.name).join(', ');
  const title = `# ${pyCommentText(step.optimizer.label)} (${step.optimizer.kind.title}) updates ${pyCommentText(networks)} to lower ${pyCommentText(step.lossName)}.`;
  if (step.repeat === 1) return [title, ...(mode ? [mode(undefined)] : []), ...body];
  return [title, `for round_ in range(${step.repeat}):`, ...indent(body)];
}

/** A training draw: number `instr.draw` of the iteration (plus the round, in a repeated step) from the source's chunked stream. */
const drawTraining = (names: Names, repeated = false) => (instr: SourceInstr) => ({
  values: `streams.data[${py(names.sources.get(instr.source.key)!)}](iteration, ${instr.draw}${repeated ? ' + round_' : ''}, batch_size)`,
  batch: 'batch_size',
});

function writeIteration(plan: TrainingPlan, names: Names): string[] {
  const ctx: MainContext = { plan, names, namer: names.module.child(), values: new Map(), draw: drawTraining(names), shared: true };
  const modes = hasModes(plan);
  const random = hasRandomLayers(plan);
  const body: string[] = [...(random ? ['site = philox.DrawSite(streams.seed, "", iteration)'] : []), 'losses = {}'];
  plan.steps.forEach((step, s) => {
    const section = plan.sections[s]!;
    if (section.length) {
      body.push(s === 0 ? '# Once per iteration, shared by the steps below.' : '# Once the steps above have updated their networks, shared by the steps below.');
      if (modes) body.push(`model.mode = loop.Mode(True${random ? ', (), site' : ''})`);
      body.push('with torch.no_grad():', ...indent(writeInstructions(ctx, section)));
    }
    // A repeated step's rounds each draw masks of their own.
    const trains = `{${step.optimizer.networks.map((id) => py(id)).join(', ')}}`;
    const mode = (round: string | undefined) => `model.mode = loop.Mode(True, ${trains}${random ? `, ${round ? `site.at_round(${round})` : 'site'}` : ''})`;
    body.push(...writeStep(ctx, step, modes ? mode : undefined));
  });
  if (modes) body.push('model.mode = loop.EVALUATION');
  body.push('return losses');
  return [
    'def train_iteration(model, streams, optimizers, batch_size, iteration):',
    ...indent([
      '"""Training iteration `iteration`: every optimizer step of the schedule in order, each drawing at this iteration of its streams; each step\'s loss before its update."""',
      ...body,
    ]),
  ];
}

function writeGrids(plan: TrainingPlan, names: Names): string[] {
  const { samples, reconstructions } = plan.previews;
  const evaluate = (preview: PreviewPlan, namer: PyNamer) => {
    const ctx: MainContext = {
      plan,
      names,
      namer,
      values: new Map(),
      draw: (instr) => ({ values: `streams.preview[${py(names.sources.get(instr.source.key)!)}]`, batch: 'PREVIEW_COUNT' }),
      samplerNoise: (node) => `diffusion.sampler_noise(streams.seed, "preview", ${py(node)})`,
    };
    const lines = writeInstructions(ctx, preview.body);
    return { lines, value: ctx.values.get(preview.value)!, image: `${pyValue(preview.image.height)}, ${pyValue(preview.image.width)}, ${pyValue(preview.image.channels)}` };
  };
  const body: string[] = ['name = f"{index:03d}"'];
  if (samples) {
    const s = evaluate(samples, names.module.child());
    body.push(...s.lines, `grid.write_grid(os.path.join(out, f"{name}.png"), ${s.value}, ${py(samples.range)}, (${s.image}), PREVIEW_COLUMNS)`);
  }
  if (reconstructions) {
    const i = evaluate(reconstructions.inputs, names.module.child());
    const o = evaluate(reconstructions.outputs, names.module.child());
    const file = samples ? 'f"recon-{name}.png"' : 'f"{name}.png"';
    body.push(...i.lines, ...o.lines, `grid.write_pairs(os.path.join(out, ${file}), ${i.value}, ${o.value}, ${py(reconstructions.inputs.range)}, (${i.image}), 2 * PREVIEW_COLUMNS)`);
  }
  if (!samples && !reconstructions) body.push('pass');
  return ['@torch.no_grad()', 'def write_grids(model, streams, out, index):', ...indent(['"""The sample and reconstruction grids, from the fixed preview draws."""', ...body])];
}

function writeStreams(plan: TrainingPlan, names: Names): string[] {
  // `expression`: the purpose as Python, where it is a variable rather than a constant.
  const sampler = (source: SourcePlan, purpose: SourcePurpose, expression = py(purpose)) =>
    source.kind.forms.pytorch!.sampler({
      params: source.params,
      stream: `philox.source_stream(seed, ${expression}, ${py(source.key)})`,
      drawsPerIteration: String(purpose === 'train' ? (plan.drawsPerIteration[source.key] ?? 1) : 1),
      dataset: (ref) => `datasets[${py(datasetKey(ref))}]`,
    });
  const drawnIn = (instrs: readonly MainInstr[]) => new Set(instrs.flatMap((i) => (i.type === 'source' ? [i.source.key] : [])));
  const trained = drawnIn([...plan.sections.flat(), ...plan.steps.flatMap((s) => s.body)]);
  const previews = [plan.previews.samples, plan.previews.reconstructions?.inputs, plan.previews.reconstructions?.outputs].flatMap((p) => (p ? [p] : []));
  const previewed = drawnIn(previews.flatMap((p) => p.body));
  const samples = plan.previews.samples;
  const scored = samples ? drawnIn(samples.body) : new Set<string>();
  const evaluation = samples
    ? [
        '',
        'def generated(self, purpose):',
        ...indent([
          '"""The samplers of generated images: "evaluation", the fixed batch the quality scores compare (chunk c is their draw at iteration c, every time), or "samples", those of --samples."""',
          'seed, datasets = self.seed, self.datasets',
          'return {',
          ...indent(plan.sources.filter((s) => scored.has(s.key)).map((s) => `${py(names.sources.get(s.key)!)}: ${sampler(s, 'evaluation', 'purpose')},`)),
          '}',
        ]),
      ]
    : [];
  return [
    'class Streams:',
    ...indent([
      `"""Each data source's training draws and its fixed preview draw${samples ? " (and the quality scores' evaluation draws)" : ''}, from the streams the app draws from."""`,
      '',
      'def __init__(self, seed, datasets):',
      ...indent([
        'self.seed, self.datasets = seed, datasets',
        'self.data = {',
        ...indent(plan.sources.filter((s) => trained.has(s.key)).map((s) => `${py(names.sources.get(s.key)!)}: nd.TrainingDraws(${sampler(s, 'train')}, ${plan.drawsPerIteration[s.key] ?? 1}),`)),
        '}',
        'self.preview = {',
        ...indent(plan.sources.filter((s) => previewed.has(s.key)).map((s) => `${py(names.sources.get(s.key)!)}: nd.preview_batch(${sampler(s, 'preview')}, PREVIEW_COUNT),`)),
        '}',
      ]),
      ...evaluation,
    ]),
  ];
}

/**
 * `generate_samples`: `count` images of the samples preview, in chunks, with
 * the class each was asked to be where a source draws class labels (Netloom's
 * TrainingProgram.generate): from the "evaluation" streams (the fixed batch
 * the scores compare) or the "samples" streams (`--samples`).
 */
function writeGenerate(plan: TrainingPlan, names: Names, samples: PreviewPlan): string[] {
  const namer = names.module.child();
  // The function's own locals, kept from the preview's.
  for (const local of ['count', 'purpose', 'draws', 'chunks', 'labels', 'done', 'rows']) namer.name(local);
  const ctx: MainContext = {
    plan,
    names,
    namer,
    values: new Map(),
    draw: (instr) => ({ values: `nd.draw_at(draws[${py(names.sources.get(instr.source.key)!)}], done // ${GENERATE_CHUNK}, 0, rows)`, batch: 'rows' }),
    samplerNoise: (node) => `diffusion.sampler_noise(streams.seed, purpose, ${py(node)}, done // ${GENERATE_CHUNK})`,
  };
  const lines = writeInstructions(ctx, samples.body);
  const image = `(${pyValue(samples.image.height)}, ${pyValue(samples.image.width)}, ${pyValue(samples.image.channels)})`;
  // Each row's class is the largest entry of its one-hot label.
  const classes = classesOf(samples);
  const labelled = classes === undefined ? undefined : ctx.values.get(classes)!;
  return [
    '@torch.no_grad()',
    'def generate_samples(model, streams, count, purpose="evaluation"):',
    ...indent([
      '"""`count` generated images [count, h, w, c] in [0, 1], and the class each was asked to be (uint8 [count]; None where nothing draws classes)."""',
      'draws = streams.generated(purpose)',
      'chunks, labels = [], []',
      `for done in range(0, count, ${GENERATE_CHUNK}):`,
      ...indent([
        `rows = min(${GENERATE_CHUNK}, count - done)`,
        ...lines,
        `chunks.append(quality.unit_images(${ctx.values.get(samples.value)!}, ${py(samples.range)}, ${image}))`,
        ...(labelled ? [`labels.append(${labelled}.argmax(1).to(torch.uint8))`] : []),
      ]),
      `return torch.cat(chunks), ${labelled ? 'torch.cat(labels)' : 'None'}`,
    ]),
  ];
}

/** The first value of class labels a preview draws (a source that draws classes), if any. */
function classesOf(preview: PreviewPlan): ValueId | undefined {
  for (const instr of preview.body) {
    if (instr.type !== 'source') continue;
    const port = instr.source.kind.classes?.(instr.source.params)?.port;
    if (port !== undefined && instr.outputs[port] !== undefined) return instr.outputs[port];
  }
  return undefined;
}

/** `--samples` and `--labels-out` refused at the start where the graph has nothing to give them. */
function writeSampleChecks(samples: PreviewPlan | undefined, labelled: boolean): string[] {
  if (!samples) return ['if args.samples > 0:', ...indent(['raise SystemExit("--samples: this graph has no samples preview (choose one under Pictures in Netloom, then export again)")'])];
  if (!labelled) return ['if args.labels_out:', ...indent(['raise SystemExit("--labels-out: the samples of this graph are not conditioned on class labels")'])];
  return [];
}

/** Quality scores in `main`: the evaluator over held-out real images, and what loop.run takes to score and to summarise. */
function writeScoring(plan: TrainingPlan): { setup: string[]; run: string[] } {
  const { quality } = plan;
  if (!quality || !plan.previews.samples) {
    return {
      setup: ['if args.eval_every > 0:', ...indent(['loop.log("No quality scores: the graph has no samples preview, or no data of their shape to compare with.")'])],
      run: [],
    };
  }
  return {
    setup: [
      'scores = quality.ScoreLog(args.json)',
      'evaluator = None',
      'if args.eval_every > 0 and loop.RANK == 0:',
      ...indent([
        '# Quality scores on a fixed batch of samples against held-out real images (the training split where the data has no test split).',
        `evaluator = quality.create_evaluator(args.data, ${py(quality.reference.id)}, ${py(quality.reference.split)}, ${py(quality.features)}, args.eval_samples)`,
        'if not args.json:',
        ...indent(['loop.log(evaluator.note)']),
      ]),
      '',
      'def evaluate(step):',
      ...indent(['scores.add(step, evaluator.score(generate_samples(model, streams, evaluator.count)[0]))']),
      '',
    ],
    run: ['evaluate if evaluator else None,', 'scores.summary,'],
  };
}

function writeModel(plan: TrainingPlan, names: Names): string[] {
  return [
    'class Model(torch.nn.Module):',
    ...indent([
      '"""Every network of the graph, each a module with its own weights."""',
      '',
      'def __init__(self, seed):',
      ...indent([
        'super().__init__()',
        ...plan.networks.map((n) => `self.${names.networks.get(n.id)!.cls} = ${names.networks.get(n.id)!.cls}(seed)`),
        ...(hasModes(plan) ? ['# Training iterations set it; grids and samples evaluate.', 'self.mode = loop.EVALUATION'] : []),
      ]),
    ]),
    '',
    '',
    'def model_weights(model):',
    ...indent([
      '"""Every weight by its name in checkpoints, `network/node/weight`."""',
      'return {',
      ...indent(plan.weights.map((w) => `${py(w.name)}: model.${names.networks.get(w.network)!.cls}.${names.networks.get(w.network)!.attrs.get(w.name)},`)),
      '}',
    ]),
    '',
    '',
    'def create_optimizers(weights):',
    ...indent([
      '"""Each optimizer (by node id) over the weights of its networks, in the app\'s order."""',
      'return {',
      ...indent(plan.optimizers.map((o) => `${py(o.node)}: ${o.kind.forms.pytorch!.updater({ params: o.params, variables: `[${o.variables.map((w) => `weights[${py(w.name)}]`).join(', ')}]` })},`)),
      '}',
    ]),
  ];
}

export function writeTrainPy(plan: TrainingPlan): string {
  const names = nameEverything(plan);
  const t = plan.settings;
  const loads = plan.datasets.map((ref) => `${py(datasetKey(ref))}: nd.load_dataset(args.data, ${py(ref.id)}, ${py(ref.split)})`);
  const samples = plan.previews.samples;
  const scoring = writeScoring(plan);
  const lines = [
    `"""${pyDocText(plan.name)}: a PyTorch training program exported from Netloom.`,
    '',
    'The model (one module per network), its data streams, TF1\'s optimizers and the training schedule as a',
    'plain loop; netloom/ holds the numerics and the random streams, as the app computes them. Run: python train.py --help"""',
    '',
    'import argparse',
    'import os',
    '',
    'import torch',
    '',
    'from netloom import data as nd',
    `from netloom import checkpoint, diffusion, grid, init, loop, ops, optim, philox${samples ? ', quality' : ''}`,
    '',
    `GRAPH_NAME = ${py(plan.name)}`,
    `ITERATIONS = ${t.iterations}`,
    `BATCH_SIZE = ${t.batchSize}`,
    `SEED = ${t.seed}`,
    `SAMPLE_EVERY = ${t.sampleEvery}`,
    `LOG_EVERY = ${Math.min(t.sampleEvery, 100)}`,
    'DATA_DIR = "data"',
    'OUT_DIR = "out"',
    `PREVIEW_COUNT = ${plan.previews.layout.count}`,
    `PREVIEW_COLUMNS = ${plan.previews.layout.columns}`,
    samples
      ? '# Quality scores (Fréchet distance, class entropy, confidence, diversity) every this many iterations, on this many samples.'
      : '# Quality scores: none (the graph has no samples preview, or no data of their shape to compare with).',
    `EVAL_EVERY = ${samples ? t.evaluation.every : 0}`,
    `EVAL_SAMPLES = ${t.evaluation.samples}`,
    '# What the graph trains: a checkpoint resumes only the same weights and optimizers.',
    `IDENTITY = ${pyValue({ structure: plan.identity.structure, optimizerKinds: plan.identity.optimizerKinds })}`,
    '',
    '',
    'def weight(seed, name, shape, initializer, fans, trainable=True):',
    ...indent([
      '"""A weight, drawn from the stream of its name as in the app, so both start from the same values (moving statistics are not trainable: their layers update them)."""',
      'return torch.nn.Parameter(torch.from_numpy(init.initial_value(initializer, shape, fans, philox.weight_stream(seed, name))), requires_grad=trainable)',
    ]),
    '',
    '',
    'def minimize(optimizer, loss, unreduced=()):',
    ...indent([
      '"""One optimizer step on its own weights; returns the loss before the update (over the whole batch, under torchrun)."""',
      'optimizer.zero_grad(set_to_none=True)',
      'loss.backward(inputs=optimizer.parameters_in_order())',
      'loop.reduce_gradients([p for network in unreduced for p in network.parameters()])',
      'optimizer.step()',
      'return loop.global_loss(loss)',
    ]),
    '',
    '',
    ...plan.networks.flatMap((network) => [...writeNetwork(plan, names, network), '', '']),
    ...writeModel(plan, names),
    '',
    '',
    ...writeStreams(plan, names),
    '',
    '',
    ...writeIteration(plan, names),
    '',
    '',
    ...writeGrids(plan, names),
    '',
    '',
    ...(samples ? [...writeGenerate(plan, names, samples), '', ''] : []),
    'def main():',
    ...indent([
      'args = loop.parse_args(GRAPH_NAME, ITERATIONS, BATCH_SIZE, SEED, SAMPLE_EVERY, LOG_EVERY, DATA_DIR, OUT_DIR, EVAL_EVERY, EVAL_SAMPLES)',
      `datasets = {${loads.join(', ')}}`,
      'resume = checkpoint.load(args.resume) if args.resume else None',
      'resume_at = resume.iteration if resume else 0',
      'model = Model(args.seed)',
      'weights = model_weights(model)',
      `model = loop.prepare(model, args${hasRandomLayers(plan) ? ', host_draws=True' : ''})`,
      ...(usesInputGradients(plan)
        ? ['if loop.WORLD > 1:', ...indent(['raise SystemExit("input gradients (a WGAN-GP penalty) need double backward, which DistributedDataParallel does not support: run this graph in one process")'])]
        : []),
      '# Every draw is a function of its iteration: a resumed run continues each stream exactly.',
      'streams = Streams(args.seed, datasets)',
      'optimizers = create_optimizers(weights)',
      'trained = checkpoint.Trained(weights, optimizers, IDENTITY)',
      ...writeSampleChecks(samples, samples !== undefined && classesOf(samples) !== undefined),
      'if resume:',
      ...indent(['trained.restore(resume)']),
      ...scoring.setup,
      'loop.run(',
      ...indent([
        'args,',
        'lambda step: train_iteration(model, streams, optimizers, args.batch_size, step),',
        'lambda index: write_grids(model, streams, args.out, index),',
        'lambda iteration: trained.save(os.path.join(args.out, "checkpoint"), GRAPH_NAME, iteration),',
        'resume_at,',
        ...(scoring.run.length ? scoring.run : samples ? ['None,', 'None,'] : []),
        ...(samples ? ['lambda count: generate_samples(model, streams, count, "samples"),'] : []),
      ]),
      ')',
    ]),
    '',
    '',
    'if __name__ == "__main__":',
    ...indent(['main()']),
    '',
  ];
  return lines.join('\n');
}
