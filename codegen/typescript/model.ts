import type { FunctionDeclarationStructure, OptionalKind } from 'ts-morph';
import { objectLiteral } from '../../lib/kinds/common';
import { datasetKey } from '../../lib/runtime/dataset';
import { hasModes, hasRandomLayers, SEED_LAYOUT, type MainInstr, type PreviewPlan, type SourceInstr, type SourcePlan, type StepPlan, type ValueId } from '../../lib/plan/plan';
import type { SourcePurpose } from '../../lib/runtime/random';
import type { Namer } from '../names';
import { commentText, stringLiteral } from '../text';
import { writeInstructions, type MainContext } from './instructions';
import { GENERATE_CHUNK } from '../../lib/runtime/grid';
import type { TsNames } from './names';

const trainsLiteral = (names: TsNames, trains: ReadonlySet<string>) => `{ ${names.plan.networks.map((n) => `${names.network(n).fn}: ${trains.has(n.id)}`).join(', ')} }`;
/**
 * `{ weights: model.weights, trains: {...}[, training][, site] }`: a Step literal (training: a training
 * iteration's forward pass, not an evaluation; site: where its random layers draw, trainIteration's `site`).
 */
function stepLiteral(names: TsNames, trains: ReadonlySet<string>, training: boolean, repeated = false): string {
  const modes = hasModes(names.plan) ? `, training: ${training}` : '';
  // A repeated step's rounds each draw masks of their own; evaluations draw none (their site is never read).
  const site = hasRandomLayers(names.plan) ? (training ? (repeated ? ', site: roundSite(site, round)' : ', site') : ', site: iterationSite(0, 0)') : '';
  return `{ weights: model.weights, trains: ${trainsLiteral(names, trains)}${modes}${site} }`;
}

/** Sources the given instructions draw. */
const drawnBy = (instrs: readonly MainInstr[]) => new Set(instrs.flatMap((instr) => (instr.type === 'source' ? [instr.source.key] : [])));

function previews(names: TsNames): PreviewPlan[] {
  const { samples, reconstructions } = names.plan.previews;
  return [samples, reconstructions?.inputs, reconstructions?.outputs].filter((p): p is PreviewPlan => p !== undefined);
}

/** `type Datasets`: each dataset the sources read, by `id/split`. */
export function datasetsType(names: TsNames): string {
  return `type Datasets = ${names.plan.datasets.length ? `{ ${names.plan.datasets.map((ref) => `${stringLiteral(datasetKey(ref))}: Dataset`).join('; ')} }` : 'Record<string, never>'};`;
}

/** `createModel`: the weights, the data streams, the fixed preview draws and the optimizers. */
export function writeModel(names: TsNames): OptionalKind<FunctionDeclarationStructure> {
  const { plan } = names;
  const sampler = (source: SourcePlan, purpose: SourcePurpose) =>
    source.kind.forms.typescript.sampler({
      params: source.params,
      stream: `sourceStream(seed, ${stringLiteral(purpose)}, ${stringLiteral(source.key)})`,
      drawsPerIteration: String(purpose === 'train' ? (plan.drawsPerIteration[source.key] ?? 1) : 1),
      dataset: (ref) => `datasets[${stringLiteral(datasetKey(ref))}]`,
    });
  const trained = drawnBy([...plan.sections.flat(), ...plan.steps.flatMap((s) => s.body)]);
  const previewed = drawnBy(previews(names).flatMap((p) => p.body));
  const samples = plan.quality && plan.previews.samples;
  // Moving statistics are weights no optimizer updates.
  const state = plan.weights.some((w) => !w.trainable);
  const scored = samples ? drawnBy(samples.body) : new Set<string>();
  return {
    name: 'createModel',
    parameters: [
      { name: 'seed', type: 'number' },
      { name: 'datasets', type: 'Datasets' },
    ],
    docs: [
      'Everything training reads and updates. Each data source draws from its own streams, named as in Netloom so both draw the same batches: any draw is a function of the seed, the stream, the iteration and the draw, so a resumed run continues exactly.',
    ],
    statements: [
      'const weights = createWeights(seed);',
      'const variables = {',
      ...plan.optimizers.map((o) => `${names.optimizer(o)}: variablesOf(${o.networks.map((id) => `weights.${names.network(plan.networks.find((n) => n.id === id)!).fn}`).join(', ')})${state ? '.filter((v) => v.trainable)' : ''},`),
      '};',
      'return {',
      'seed,',
      'weights,',
      'variables,',
      'data: {',
      ...plan.sources.filter((s) => trained.has(s.key)).map((source) => `${names.source(source)}: ${sampler(source, 'train')},`),
      '},',
      '/** Fixed draws for the sample grids: the first images, one draw of noise. */',
      'preview: {',
      ...plan.sources.filter((s) => previewed.has(s.key)).map((source) => `${names.source(source)}: previewBatch(${sampler(source, 'preview')}),`),
      '},',
      ...(samples
        ? [
            '/** The fixed batch quality is scored on: chunk c is the draw at iteration c, every time. */',
            'evaluation: {',
            ...plan.sources.filter((s) => scored.has(s.key)).map((source) => `${names.source(source)}: ${sampler(source, 'evaluation')},`),
            '},',
          ]
        : []),
      'optimizers: {',
      ...plan.optimizers.map((o) => `${names.optimizer(o)}: ${o.kind.forms.typescript.updater({ params: o.params, variables: `variables.${names.optimizer(o)}` })},`),
      '},',
      '};',
    ],
  };
}

/** A training draw: number `instr.draw` of the iteration (plus the round, in a repeated step). */
const drawTraining = (names: TsNames, repeated = false) => (instr: SourceInstr) => ({
  values: `model.data.${names.source(instr.source)}.draw({ iteration, draw: ${instr.draw}${repeated ? ' + round' : ''} }, batchSize)`,
  batch: 'batchSize',
});

/** `trainIteration`: the shared values, then every optimizer step of the schedule, in order. */
export function writeIteration(names: TsNames): OptionalKind<FunctionDeclarationStructure> {
  const { plan } = names;
  const random = hasRandomLayers(plan);
  const namer = names.module.child(['model', 'batchSize', 'iteration', 'losses', 'noTraining', ...(random ? ['site'] : [])]);
  const values = new Map<ValueId, string>();
  const layers = new Map<string, string>();
  const sharesCalls = plan.sections.flat().some((instr) => instr.type === 'call');
  const body: string[] = [
    ...(random ? ['const site = iterationSite(model.seed, iteration);'] : []),
    'const losses: LossTensors = {};',
    ...(sharesCalls ? [`const noTraining: Step = ${stepLiteral(names, new Set(), true)};`] : []),
  ];
  plan.steps.forEach((step, s) => {
    const section = plan.sections[s]!;
    if (section.length) {
      body.push(
        s === 0
          ? '\n// Once per iteration, shared by the steps below (no step has changed the weights these read yet).'
          : '\n// Once the steps above have updated their networks, shared by the steps below.',
      );
      body.push(...writeInstructions({ names, namer, values, layers, step: 'noTraining', draw: drawTraining(names) }, section));
    }
    body.push(...writeStep(names, step, namer, values, layers));
  });
  body.push('\nreturn losses;');
  return {
    name: 'trainIteration',
    parameters: [
      { name: 'model', type: 'Model' },
      { name: 'batchSize', type: 'number' },
      { name: 'iteration', type: 'number' },
    ],
    returnType: 'LossTensors',
    docs: [
      'Training iteration `iteration`: every optimizer step of the schedule in order, each drawing its batches at this iteration of their streams. Returns each step\'s loss (before its update) as a tensor, for one read.',
    ],
    statements: ['return tf.tidy(() => {', ...body, '});'],
  };
}

function writeStep(names: TsNames, step: StepPlan, parent: Namer, shared: ReadonlyMap<ValueId, string>, sharedLayers: ReadonlyMap<string, string>): string[] {
  const ctx: MainContext = { names, namer: parent.child(['step']), values: new Map(shared), layers: new Map(sharedLayers), step: 'step', draw: drawTraining(names, step.repeat > 1) };
  const statements = writeInstructions(ctx, step.body);
  const key = names.optimizer(step.optimizer);
  const byId = new Map(names.plan.networks.map((n) => [n.id, n]));
  const networks = step.optimizer.networks.map((id) => commentText(byId.get(id)!.name)).join(', ');
  const reuses = step.body.some((instr) => instr.type === 'call' && instr.reuse);
  const closure = [
    `losses[${stringLiteral(step.lossName)}] = minimize(model.optimizers.${key}, model.variables.${key}, () => {`,
    `const step: Step = ${stepLiteral(names, step.trains, true, step.repeat > 1)};`,
    ...statements,
    `return ${ctx.values.get(step.loss)};`,
    '});',
  ];
  const comment = `\n// ${commentText(step.optimizer.label)} (${step.optimizer.kind.title}) updates ${networks} to lower ${commentText(step.lossName)}.${reuses ? ' Networks reused from above record their gradients now, over the forward values already computed.' : ''}`;
  if (step.repeat === 1) return [comment, ...closure];
  return [comment, `for (let round = 0; round < ${step.repeat}; round++) {`, ...closure, '}'];
}

/** `await imageBatch(tf, range, () => { ...the preview's instructions...; return value; }, shape)` with the given draws. */
function evaluatePreview(names: TsNames, preview: PreviewPlan, taken: string[], draw: MainContext['draw'], samplerNoise: MainContext['samplerNoise']): string {
  const ctx: MainContext = { names, namer: names.module.child(taken), values: new Map(), layers: new Map(), step: 'step', draw, samplerNoise };
  const body = writeInstructions(ctx, preview.body);
  const calls = preview.body.some((instr) => instr.type === 'call' || instr.type === 'sample');
  // Square greyscale is imageBatch's default; other images say their shape.
  const { height, width, channels } = preview.image;
  const image = channels === 1 && height === width ? '' : `, ${objectLiteral({ height, width, channels })}`;
  return [
    `await imageBatch(tf, ${stringLiteral(preview.range)}, () => {`,
    ...(calls ? [`const step: Step = ${stepLiteral(names, new Set(), false)};`] : []),
    ...body,
    `return ${ctx.values.get(preview.value)};`,
    `}${image})`,
  ].join('\n');
}

/** `generateSamples`: `count` images from the samples preview on the evaluation's fixed draws, in chunks (as Netloom's TrainingProgram.generate). */
export function writeGenerate(names: TsNames, samples: PreviewPlan): OptionalKind<FunctionDeclarationStructure> {
  const draw = (instr: SourceInstr) => ({ values: `model.evaluation.${names.source(instr.source)}.draw({ iteration: done / ${GENERATE_CHUNK}, draw: 0 }, rows)`, batch: 'rows' });
  return {
    name: 'generateSamples',
    isAsync: true,
    parameters: [
      { name: 'model', type: 'Model' },
      { name: 'count', type: 'number' },
    ],
    returnType: 'Promise<ImageBatch>',
    docs: ['`count` generated images in [0, 1] from the same noise at every call: what the quality scores compare with real images.'],
    statements: [
      'const chunks: ImageBatch[] = [];',
      `for (let done = 0; done < count; done += ${GENERATE_CHUNK}) {`,
      `const rows = Math.min(${GENERATE_CHUNK}, count - done);`,
      `chunks.push(${evaluatePreview(names, samples, ['model', 'count', 'draws', 'chunks', 'done', 'rows', 'step'], draw, (node) => `diffusion.samplerNoise(model.seed, "evaluation", ${stringLiteral(node)}, done / ${GENERATE_CHUNK})`)});`,
      '}',
      'return concatBatches(chunks);',
    ],
  };
}

/** `writeGrids`: the sample and reconstruction grids, evaluated on the fixed preview draws without gradients. */
export function writePreviews(names: TsNames): OptionalKind<FunctionDeclarationStructure> {
  const { samples, reconstructions } = names.plan.previews;
  const statements: string[] = ['const name = String(index).padStart(3, "0");', 'const writes: Promise<void>[] = [];'];
  const evaluate = (preview: PreviewPlan) => evaluatePreview(names, preview, ['model', 'dir', 'index', 'name', 'writes', 'step'], (instr) => ({ values: `model.preview.${names.source(instr.source)}`, batch: 'PREVIEW_COUNT' }), (node) => `diffusion.samplerNoise(model.seed, "preview", ${stringLiteral(node)})`);
  const { columns } = names.plan.previews.layout;
  const sampleColumns = columns === SEED_LAYOUT.columns ? '' : `, ${columns}`;
  if (samples) statements.push(`const samples = ${evaluate(samples)};`, `writes.push(writePng(path.join(dir, \`\${name}.png\`), imageGrid(samples${sampleColumns})));`);
  if (reconstructions) {
    statements.push(`const inputs = ${evaluate(reconstructions.inputs)};`);
    statements.push(`const outputs = ${evaluate(reconstructions.outputs)};`);
    statements.push(`writes.push(writePng(path.join(dir, \`${samples ? 'recon-' : ''}\${name}.png\`), imageGrid(pairs(inputs, outputs), ${2 * columns})));`);
  }
  statements.push('await Promise.all(writes);');
  return {
    name: 'writeGrids',
    isAsync: true,
    parameters: [
      { name: 'model', type: 'Model' },
      { name: 'dir', type: 'string' },
      { name: 'index', type: 'number' },
    ],
    returnType: 'Promise<void>',
    docs: [
      "Writes the 4x4 grids like the seeds' out/000.png, 001.png, ..." +
        (samples ? ' The samples come from a fixed draw of noise, so grids show training progress on the same inputs.' : '') +
        (reconstructions ? ' Reconstructions sit beside their inputs.' : ''),
    ],
    statements,
  };
}
