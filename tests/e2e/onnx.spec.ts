import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import * as ort from 'onnxruntime-node';
import { createProject, setSettings } from './helpers';

/**
 * Networks leave as ONNX: the run history downloads G with a checkpoint's
 * weights (onnxruntime-node in this process loads and runs it), the Export
 * menu writes G with its initial weights, and a page samples a 4x4 grid
 * from the downloaded generator with onnxruntime-web, its module and WASM
 * files served by the app (never a CDN), agreeing with onnxruntime-node.
 */

/** Deterministic latent vectors in [-1, 1), the same in the page and here. */
const latent = (rows: number, size: number) => Float32Array.from({ length: rows * size }, (_, i) => Math.sin(i * 12.9898 + 1.5) * 0.999);

async function runNode(bytes: Uint8Array, feeds: Record<string, { data: Float32Array; dims: number[] }>) {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    const results = await session.run(Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, new ort.Tensor('float32', f.data, f.dims)])));
    return { inputs: session.inputNames, outputs: session.outputNames, results };
  } finally {
    await session.release();
  }
}

test('the run history downloads G as ONNX, which onnxruntime-node runs and onnxruntime-web samples a grid from in Chromium', async ({ page }) => {
  await createProject(page, 'ONNX GAN', 'gan');
  await page.getByRole('button', { name: 'Training' }).click();
  const panel = page.getByLabel('Training');
  await setSettings(panel, { batch: 16, iterations: 30, sampleEvery: 10, backend: 'wasm', scoreEvery: 0 });
  await panel.getByRole('button', { name: 'Train', exact: true }).click();
  const history = panel.getByLabel('Run history');
  await expect(history.locator('li').first()).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });
  await history.getByRole('button', { name: 'Open' }).click();
  const checkpoints = panel.getByLabel('Checkpoints');
  await expect(checkpoints.locator('li').last()).toContainText('Checkpoint at 30');

  // The menu lists every network of the run's graph.
  const last = checkpoints.locator('li').last();
  await expect(last.getByLabel('Network to download as ONNX').locator('option')).toHaveText(['G', 'D']);
  await last.getByLabel('Network to download as ONNX').selectOption('G');
  const link = last.getByRole('link', { name: 'Download G as ONNX' });
  const href = (await link.getAttribute('href'))!;
  const download = page.waitForEvent('download');
  await link.click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('onnx-gan-run1-g.onnx');
  const bytes = new Uint8Array(await readFile((await file.path())!));

  // onnxruntime-node loads it: input z and output named as in the graph, any batch.
  const z = latent(16, 100);
  const native = await runNode(bytes, { z: { data: z, dims: [16, 100] } });
  expect(native.inputs).toEqual(['z']);
  expect(native.outputs).toHaveLength(1);
  const images = native.results[native.outputs[0]!]!;
  expect(images.dims).toEqual([16, 784]);
  const values = images.data as Float32Array;
  expect(values.every((v) => Number.isFinite(v) && v >= -1 && v <= 1)).toBe(true);
  expect(new Set(values).size).toBeGreaterThan(100);

  // A network the graph does not have, or another user's run: refused with the reason, not a file.
  const missing = await page.request.get(href.replace('network=G', 'network=Nope'));
  expect(missing.status()).toBe(404);
  expect((await missing.json()).error).toMatch(/no network "Nope": it has "G", "D"/);

  // onnxruntime-web in the page: its module and WASM from the app, loaded by a script carrying the page's nonce (the CSP allows nothing else).
  const sampled = await page.evaluate(
    async ({ url, z }) => {
      const nonce = (document.querySelector('script[nonce]') as HTMLScriptElement | null)?.nonce ?? '';
      const loaded = new Promise<void>((resolve, reject) => {
        (window as unknown as { onOrtReady: () => void }).onOrtReady = resolve;
        setTimeout(() => reject(new Error('onnxruntime-web did not load')), 30_000);
      });
      const script = document.createElement('script');
      script.type = 'module';
      script.nonce = nonce;
      script.textContent = "import * as ort from '/api/onnxruntime-web/ort.wasm.min.mjs'; window.ort = ort; window.onOrtReady();";
      document.head.append(script);
      await loaded;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const ort = (window as any).ort;
      ort.env.wasm.wasmPaths = '/api/onnxruntime-web/';
      ort.env.wasm.numThreads = 1;
      const model = new Uint8Array(await (await fetch(url)).arrayBuffer());
      const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
      const out = await session.run({ z: new ort.Tensor('float32', Float32Array.from(z), [16, 100]) });
      const images = out[session.outputNames[0]] as { data: Float32Array; dims: number[] };
      // The 4x4 grid of 28x28 images, drawn as the app draws its samples ([-1, 1] to [0, 255]).
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 4 * 28;
      const context = canvas.getContext('2d')!;
      const pixels = context.createImageData(canvas.width, canvas.height);
      for (let n = 0; n < 16; n++) {
        for (let i = 0; i < 784; i++) {
          const x = (n % 4) * 28 + (i % 28);
          const y = Math.floor(n / 4) * 28 + Math.floor(i / 28);
          const v = Math.round(((images.data[n * 784 + i]! + 1) / 2) * 255);
          pixels.data.set([v, v, v, 255], (y * canvas.width + x) * 4);
        }
      }
      context.putImageData(pixels, 0, 0);
      const resources = performance.getEntriesByType('resource').map((r) => r.name);
      return { data: Array.from(images.data), dims: images.dims, png: canvas.toDataURL('image/png'), resources };
    },
    { url: href, z: Array.from(z) },
  );
  expect(sampled.dims).toEqual([16, 784]);
  const far = sampled.data.reduce((max, v, i) => Math.max(max, Math.abs(v - values[i]!)), 0);
  console.log(`onnxruntime-web vs onnxruntime-node: largest difference ${far.toExponential(2)}`);
  expect(far).toBeLessThanOrEqual(1e-5);
  expect(sampled.png).toMatch(/^data:image\/png;base64,/);
  // Every file came from this server: the module, its Emscripten factory and the WASM binary.
  const origin = new URL(page.url()).origin;
  const ortFiles = sampled.resources.filter((r) => /ort|onnx/.test(r));
  expect(ortFiles.some((r) => r.endsWith('.wasm'))).toBe(true);
  expect(ortFiles.every((r) => r.startsWith(origin))).toBe(true);
});

test('the Export menu writes a network as ONNX with its initial weights', async ({ page }) => {
  await createProject(page, 'ONNX export', 'cgan');
  await page.getByLabel('Export target').selectOption({ label: 'ONNX' });
  await page.getByLabel('Network to export').selectOption('G');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export file' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('onnx-export-g.onnx');
  const bytes = new Uint8Array(await readFile((await file.path())!));
  const { inputs, results, outputs } = await runNode(bytes, { z: { data: latent(3, 100), dims: [3, 100] }, y: { data: new Float32Array(30).fill(0.1), dims: [3, 10] } });
  expect([...inputs].sort()).toEqual(['y', 'z']);
  expect(results[outputs[0]!]!.dims[0]).toBe(3);
});
