import { describe, expect, it } from 'vitest';
import { CHOICE_MAX_AGE_MS, chooseBackend, deviceKey, isSoftwareRenderer, NoBackendError, readCachedChoice, storedChoice } from '../../../lib/train/backend-choice';
import type { BackendProbe } from '../../../lib/train/protocol';

const wasm = (msPerStep?: number): BackendProbe => ({ name: 'wasm', available: true, note: 'SIMD, threads', msPerStep });

describe("Auto's choice of backend", () => {
  it('keeps WASM when a GPU backend is slower per step: the first run that sat at 3-5 it/s on WebGL where WASM gave 16-40', () => {
    const choice = chooseBackend([wasm(40), { name: 'webgpu', available: false }, { name: 'webgl', available: true, msPerStep: 250, warmUpMs: 80_000 }]);
    expect(choice.backend).toBe('wasm');
    expect(choice.why).toBe('wasm: 40.0 ms/step; webgpu: unavailable; webgl: 250.0 ms/step');
  });

  it('takes a GPU backend only when it is clearly faster than WASM (within noise it stays on WASM)', () => {
    expect(chooseBackend([wasm(10), { name: 'webgpu', available: true, msPerStep: 9 }]).backend).toBe('wasm');
    expect(chooseBackend([wasm(10), { name: 'webgpu', available: true, msPerStep: 7.9 }]).backend).toBe('webgpu');
    // The fastest of those clearly faster.
    expect(chooseBackend([wasm(10), { name: 'webgpu', available: true, msPerStep: 6 }, { name: 'webgl', available: true, msPerStep: 3 }]).backend).toBe('webgl');
  });

  it('never takes a backend that was not measured: too slow to start, a software renderer, or one that failed', () => {
    const probes: BackendProbe[] = [
      wasm(30),
      { name: 'webgpu', available: true, note: 'software adapter', reason: 'software adapter: slower than WASM, not measured' },
      { name: 'webgl', available: true, reason: 'not ready within 8 s (compiling its kernels)' },
    ];
    const choice = chooseBackend(probes);
    expect(choice.backend).toBe('wasm');
    expect(choice.why).toContain('webgl: not used (not ready within 8 s (compiling its kernels))');
  });

  it('keeps WASM when WASM itself could not be timed but nothing else was either', () => {
    expect(chooseBackend([{ name: 'wasm', available: true, reason: 'not ready within 50 s' }, { name: 'webgl', available: true, reason: 'not ready within 8 s' }]).backend).toBe('wasm');
  });

  it('takes a GPU backend that was timed when WASM ran out of time (it trained where WASM did not)', () => {
    expect(chooseBackend([{ name: 'wasm', available: true, reason: 'not ready within 50 s' }, { name: 'webgpu', available: true, msPerStep: 900 }]).backend).toBe('webgpu');
  });

  it('falls back to CPU as the baseline without WASM, and fails with a typed error when nothing initialised', () => {
    expect(chooseBackend([{ name: 'wasm', available: false }, { name: 'webgl', available: true, msPerStep: 50 }, { name: 'cpu', available: true, msPerStep: 45 }]).backend).toBe('cpu');
    expect(chooseBackend([{ name: 'wasm', available: false }, { name: 'webgl', available: true, msPerStep: 20 }, { name: 'cpu', available: true, msPerStep: 45 }]).backend).toBe('webgl');
    expect(() => chooseBackend([{ name: 'wasm', available: false }, { name: 'cpu', available: false }])).toThrow(NoBackendError);
  });

  it('recognises software renderers by the names browsers give them', () => {
    expect(isSoftwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)')).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0)')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe(false);
    expect(isSoftwareRenderer('Apple M2')).toBe(false);
  });
});

describe('the choice kept per browser', () => {
  const device = deviceKey({ userAgent: 'Mozilla/5.0 Chrome/130', gpu: 'ANGLE (NVIDIA GeForce RTX 3060)', threads: 8 });
  const probes: BackendProbe[] = [wasm(20), { name: 'webgpu', available: true, msPerStep: 5 }];
  const now = 1_700_000_000_000;
  const stored = storedChoice(device, chooseBackend(probes), probes, now);

  it('is read back for the same browser, GPU and threads', () => {
    expect(readCachedChoice(stored, device, now + 1000)).toMatchObject({ backend: 'webgpu', probes, at: now });
  });

  it('is measured again for another browser version, GPU or thread count, once old, or when what is stored is not a choice', () => {
    expect(readCachedChoice(stored, deviceKey({ userAgent: 'Mozilla/5.0 Chrome/131', gpu: 'ANGLE (NVIDIA GeForce RTX 3060)', threads: 8 }), now)).toBeUndefined();
    expect(readCachedChoice(stored, deviceKey({ userAgent: 'Mozilla/5.0 Chrome/130', gpu: 'Intel UHD 620', threads: 8 }), now)).toBeUndefined();
    expect(readCachedChoice(stored, deviceKey({ userAgent: 'Mozilla/5.0 Chrome/130', gpu: 'ANGLE (NVIDIA GeForce RTX 3060)', threads: 4 }), now)).toBeUndefined();
    expect(readCachedChoice(stored, device, now + CHOICE_MAX_AGE_MS)).toBeUndefined();
    expect(readCachedChoice(stored, device, now - 1)).toBeUndefined();
    expect(readCachedChoice(null, device, now)).toBeUndefined();
    expect(readCachedChoice('{not json', device, now)).toBeUndefined();
    expect(readCachedChoice(JSON.stringify({ ...JSON.parse(stored), backend: 'tpu' }), device, now)).toBeUndefined();
  });
});
