/**
 * npm run export -- --graph <template-id | file.json> --out DIR
 * Writes a standalone TypeScript training project for the graph (see codegen/).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exportProject } from '../codegen/export';
import { resolveGraph } from './graph-arg';

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

async function main() {
  let args;
  try {
    args = parseArgs({ options: { graph: { type: 'string' }, out: { type: 'string' } } }).values;
  } catch (e) {
    fail((e as Error).message);
  }
  const graph = await resolveGraph(args.graph);
  if (!graph.ok) fail(graph.error);
  if (!args.out) fail('--out is required: the folder to write the project into');
  const project = exportProject(graph.value.doc);
  if (!project.ok) fail(project.error, 1);
  for (const [file, text] of project.value.files) {
    const target = path.join(args.out, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  process.stdout.write(
    `Wrote ${project.value.files.size} files for ${graph.value.doc.name} to ${args.out}\n` +
      `Then: cd ${args.out} && npm install && npm run train -- --help\n`,
  );
}

main().catch((e) => fail((e as Error).stack ?? String(e), 1));
