import type { FunctionDeclarationStructure, OptionalKind } from 'ts-morph';
import type { PortRef } from '../../lib/graph/schema';
import type { Namer } from '../names';
import { cone, type Plan, type SourcePlan, type StepPlan } from '../plan';
import { commentText, stringLiteral } from '../text';
import { refKey, writeNodes, type ValueContext } from './values';

/** MNIST splits the graph's sources read, e.g. ["train"]. */
export function mnistSplits(plan: Plan): ('train' | 'test')[] {
  const splits = new Set<'train' | 'test'>();
  for (const source of plan.sources) if (source.kind.dataset === 'mnist') splits.add((source.info.params as { split: 'train' | 'test' }).split);
  return [...splits].sort().reverse();
}

const trainsLiteral = (plan: Plan, trains: ReadonlySet<string>) => `{ ${plan.networks.map((n) => `${n.fn}: ${trains.has(n.id)}`).join(', ')} }`;

/** `createModel`: the weights, the data streams, the fixed preview draws and the optimizers. */
export function writeModel(plan: Plan): OptionalKind<FunctionDeclarationStructure> {
  const sampler = (source: SourcePlan, stream: string) =>
    source.kind.emit({ params: source.info.params, rng: `${stream}(${stringLiteral(source.stream)})`, mnist: (split) => `mnist.${split}` });
  const previewSources = plan.sources.filter((source) => previewNodes(plan).includes(source.info.node.id));
  const trainedSources = plan.sources.filter((source) => plan.steps.some((step) => step.nodes.some((n) => n.id === source.info.node.id)) || plan.sections.flat().includes(source.info.node.id));
  const variables = plan.steps.map((step) => {
    const networks = plan.analysis.optimizers.find((o) => o.node === step.optimizer.node.id)!.networks;
    return [step, `variablesOf(${networks.map((id) => `weights.${plan.networkById.get(id)!.fn}`).join(', ')})`] as const;
  });
  const unique = <T extends { key: string }>(items: readonly (readonly [T, string])[]) => [...new Map(items.map(([item, code]) => [item.key, code]))];
  return {
    name: 'createModel',
    parameters: [
      { name: 'seed', type: 'number' },
      { name: 'mnist', type: 'Mnist' },
      { name: 'resumeAt', type: 'number' },
    ],
    docs: [
      'Everything training reads and updates. Each data source draws from its own seeded stream, named as in Netloom so both draw the same batches; a resumed run draws from new streams (replaying every earlier draw would take as long as the training did).',
    ],
    statements: [
      'const trainStream = (source: string) => createRng(streamSeed(seed, "train", source, resumeAt));',
      'const previewStream = (source: string) => createRng(streamSeed(seed, "preview", source));',
      'const weights = createWeights(seed);',
      'const variables = {',
      ...unique(variables.map(([step, code]) => [step, code] as const)).map(([key, code]) => `${key}: ${code},`),
      '};',
      'return {',
      'weights,',
      'variables,',
      'data: {',
      ...trainedSources.map((source) => `${source.key}: ${sampler(source, 'trainStream')},`),
      '},',
      '/** Fixed draws for the sample grids: the first digits, one draw of noise. */',
      'preview: {',
      ...previewSources.map((source) => `${source.key}: previewBatch(${sampler(source, 'previewStream')}),`),
      '},',
      'optimizers: {',
      ...unique(
        plan.steps.map((step) => {
          const optimizer = plan.analysis.optimizers.find((o) => o.node === step.optimizer.node.id)!;
          return [step, optimizer.kind.emit({ params: optimizer.params, variables: `variables.${step.key}` })] as const;
        }),
      ).map(([key, code]) => `${key}: ${code},`),
      '},',
      '};',
    ],
  };
}

/** Nodes the preview grids evaluate. */
function previewNodes(plan: Plan): string[] {
  const { samples, reconstructions } = plan.doc.training.previews;
  return cone(plan.analysis.main, ...[samples, reconstructions, reconstructions?.input].flatMap((ref) => (ref ? [ref.node] : [])));
}

/** `trainIteration`: the shared values, then every optimizer step of the schedule, in order. */
export function writeIteration(plan: Plan, module: Namer): OptionalKind<FunctionDeclarationStructure> {
  const namer = module.child(['model', 'batchSize', 'losses', 'noTraining']);
  const values = new Map<string, string>();
  const layers = new Map<string, string>();
  const noGrad = () => false;
  const sharesCalls = plan.sections.flat().some((id) => plan.analysis.main.nodes.get(id)!.kind?.role === 'call');
  const body: string[] = [
    'const losses: LossTensors = {};',
    ...(sharesCalls ? [`const noTraining: Step = { weights: model.weights, trains: ${trainsLiteral(plan, new Set())} };`] : []),
  ];
  plan.steps.forEach((step, s) => {
    const section = plan.sections[s]!;
    if (section.length) {
      const ctx: ValueContext = { plan, namer, values, layers, step: 'noTraining', grad: noGrad, draw: drawTraining };
      body.push(
        s === 0
          ? '\n// Once per iteration, shared by the steps below (no step has changed the weights these read yet).'
          : '\n// Once the steps above have updated their networks, shared by the steps below.',
      );
      body.push(...writeNodes(ctx, section));
    }
    body.push(...writeStep(plan, step, namer, values, layers));
  });
  body.push('\nreturn losses;');
  return {
    name: 'trainIteration',
    parameters: [
      { name: 'model', type: 'Model' },
      { name: 'batchSize', type: 'number' },
    ],
    returnType: 'LossTensors',
    docs: ['One training iteration: every optimizer step of the schedule in order. Returns each step\'s loss (before its update) as a tensor, for one read.'],
    statements: ['return tf.tidy(() => {', ...body, '});'],
  };
}

const drawTraining = (source: SourcePlan) => ({ values: `model.data.${source.key}.next(batchSize)`, batch: 'batchSize' });

function writeStep(plan: Plan, step: StepPlan, parent: Namer, shared: Map<string, string>, sharedLayers: Map<string, string>): string[] {
  const optimizer = plan.analysis.optimizers.find((o) => o.node === step.optimizer.node.id)!;
  const namer = parent.child(['step']);
  const values = new Map(shared);
  const fresh = step.nodes.filter((n) => n.mode.kind !== 'shared').map((n) => n.id);
  const known = new Set(step.nodes.filter((n) => n.mode.kind === 'known').map((n) => n.id));
  const ctx: ValueContext = { plan, namer, values, layers: new Map(sharedLayers), step: 'step', grad: (ref: PortRef) => step.grads.get(refKey(ref)) === true, draw: drawTraining };
  const statements = writeNodes(ctx, fresh, known);
  const networks = optimizer.networks.map((id) => commentText(plan.networkById.get(id)!.name)).join(', ');
  const kindTitle = optimizer.kind.title;
  const minimize = `losses[${stringLiteral(step.lossName)}] = minimize(model.optimizers.${step.key}, model.variables.${step.key}, () => {`;
  const closure = [
    minimize,
    `const step: Step = { weights: model.weights, trains: ${trainsLiteral(plan, step.trains)} };`,
    ...statements,
    `return ${values.get(refKey(step.loss))};`,
    '});',
  ];
  const comment = `\n// ${commentText(step.optimizer.node.label || step.optimizer.node.id)} (${kindTitle}) updates ${networks} to lower ${commentText(step.lossName)}.${known.size ? ' Networks reused from above record their gradients now, over the forward values already computed.' : ''}`;
  if (step.repeat === 1) return [comment, ...closure];
  return [comment, `for (let round = 0; round < ${step.repeat}; round++) {`, ...closure, '}'];
}

/** `writeGrids`: the sample and reconstruction grids, evaluated on the fixed preview draws without gradients. */
export function writePreviews(plan: Plan, module: Namer): OptionalKind<FunctionDeclarationStructure> {
  const { samples, reconstructions } = plan.doc.training.previews;
  const statements: string[] = ['const name = String(index).padStart(3, "0");', 'const writes: Promise<void>[] = [];'];
  const evaluate = (ref: PortRef, range: string) => {
    const namer = module.child(['model', 'dir', 'index', 'name', 'writes', 'step']);
    const ctx: ValueContext = {
      plan,
      namer,
      values: new Map(),
      layers: new Map(),
      step: 'step',
      grad: () => false,
      draw: (source) => ({ values: `model.preview.${source.key}`, batch: 'PREVIEW_COUNT' }),
    };
    const nodes = cone(plan.analysis.main, ref.node);
    const body = writeNodes(ctx, nodes);
    const calls = nodes.some((id) => plan.analysis.main.nodes.get(id)!.kind?.role === 'call');
    return [
      `await imageBatch(tf, ${stringLiteral(range)}, () => {`,
      ...(calls ? [`const step: Step = { weights: model.weights, trains: ${trainsLiteral(plan, new Set())} };`] : []),
      ...body,
      `return ${ctx.values.get(refKey(ref))};`,
      '});',
    ].join('\n');
  };
  if (samples) statements.push(`const samples = ${evaluate(samples, samples.range)}`, 'writes.push(writePng(path.join(dir, `${name}.png`), imageGrid(samples)));');
  if (reconstructions) {
    statements.push(`const inputs = ${evaluate(reconstructions.input, reconstructions.range)}`);
    statements.push(`const outputs = ${evaluate(reconstructions, reconstructions.range)}`);
    statements.push(`writes.push(writePng(path.join(dir, \`${samples ? 'recon-' : ''}\${name}.png\`), imageGrid(pairs(inputs, outputs), 8)));`);
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
      'Writes the 4x4 grids like the seeds\' out/000.png, 001.png, ...' +
        (samples ? ' The samples come from a fixed draw of noise, so grids show training progress on the same inputs.' : '') +
        (reconstructions ? ' Reconstructions sit beside their inputs.' : ''),
    ],
    statements,
  };
}
