/**
 * Packs what bench/gpu.sh needs on a GPU machine that has PyTorch but no
 * package registry: a compressed Node binary, `npm run train` bundled into
 * one file (tfjs and its WebGPU and WASM backends inside, the WASM binaries
 * beside it), the `webgpu` package's Dawn for Linux x64, MNIST's training
 * split, and every template exported to PyTorch. Writes .gpu/ (ignored by
 * git; about 50 MB, under the device tool's 64 MB), then:
 *   run bench/gpu.sh on the machine with carry [".gpu"]
 *   npx tsx bench/gpu-pack.ts
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { exportProject } from '../codegen/export';
import { exportData } from '../codegen/data';
import { nodeDataFiles } from '../lib/data/node';
import { templates } from '../lib/templates';

const OUT = '.gpu';

async function main() {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(path.join(OUT, 'app'), { recursive: true });
  // Node itself, xz-compressed (about a quarter of its size).
  execFileSync('sh', ['-c', `xz -T2 -6 -c "${process.execPath}" > ${OUT}/node.xz`]);
  await build({
    entryPoints: ['cli/train.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: path.join(OUT, 'app', 'train.cjs'),
    // Native or optional: webgpu travels as a package, the rest is not needed to train templates.
    external: ['webgpu', 'sharp', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    logLevel: 'warning',
    // import.meta.url has no meaning in one CommonJS file; lib/data/node.ts falls back to the working folder.
    define: { 'import.meta.url': 'undefined' },
  });
  // tfjs's WASM backend loads its binaries from beside the script.
  const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
  for (const file of (await readdir(wasmDir)).filter((f) => f.endsWith('.wasm'))) await cp(path.join(wasmDir, file), path.join(OUT, 'app', file));
  const webgpu = path.join(OUT, 'app', 'node_modules', 'webgpu');
  await mkdir(path.join(webgpu, 'dist'), { recursive: true });
  for (const file of ['package.json', 'index.js']) await cp(path.join('node_modules/webgpu', file), path.join(webgpu, file));
  // Dawn (21 MB) travels compressed; gpu.sh inflates it.
  await mkdir(path.join(webgpu, 'dist', 'linux-x64'), { recursive: true });
  execFileSync('sh', ['-c', `xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > ${webgpu}/dist/linux-x64/dawn.node.xz`]);
  // MNIST's training split as a dataset folder, xz-compressed (gpu.sh inflates it once).
  const data = await exportData({ datasets: [{ id: 'mnist', split: 'train' }], classifier: false }, nodeDataFiles(undefined));
  for (const file of data) {
    const target = path.join(OUT, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, await file.read());
    if (file.path.endsWith('.idx')) execFileSync('xz', ['-T2', '-6', target]);
  }
  for (const template of templates) {
    const project = exportProject(template.doc, 'pytorch');
    if (!project.ok) throw new Error(`${template.id}: ${project.error}`);
    for (const [file, text] of project.value.files) {
      const target = path.join(OUT, 'torch', template.id, file);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, text);
    }
  }
  console.log(execFileSync('du', ['-sh', OUT], { encoding: 'utf8' }).trim());
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
