import { useBackend } from './lib/train/backend';
import { compile } from './lib/compile/program';
import { nodeMnist } from './lib/data/mnist-node';
import { getTemplate } from './lib/templates';
(async () => {
  const tf = await useBackend('wasm');
  const p = await compile(getTemplate('ali')!.doc, { tf, data: nodeMnist() });
  for (let i = 0; i < 20; i++) p.step();
  const prof = await tf.profile(() => { for (let i = 0; i < 20; i++) p.step(); });
  const byKernel = new Map<string, {n: number, ms: number}>();
  for (const k of prof.kernels) { const e = byKernel.get(k.name) ?? {n:0, ms:0}; e.n++; e.ms += (k.kernelTimeMs as number); byKernel.set(k.name, e); }
  const mm = new Map<string, {n:number, ms:number}>(); for (const k of prof.kernels) if (k.name === 'BatchMatMul' || k.name === '_FusedMatMul') { const key = k.name + JSON.stringify(k.inputShapes); const e = mm.get(key) ?? {n:0, ms:0}; e.n++; e.ms += k.kernelTimeMs as number; mm.set(key, e); }
  for (const [k, e] of [...mm].sort((a,b)=>b[1].ms-a[1].ms)) console.log(k.padEnd(50), (e.n/20).toFixed(1), (e.ms/e.n*1000).toFixed(0), 'us each');
  const rows = [...byKernel].sort((a,b)=>b[1].ms-a[1].ms);
  let total = 0, count = 0; for (const [,e] of rows) { total += e.ms; count += e.n; }
  console.log('kernels per it', count/20, 'kernel ms per it', (total/20).toFixed(2));
  for (const [k,e] of rows.slice(0,25)) console.log(k.padEnd(22), (e.n/20).toFixed(1), (e.ms/20).toFixed(3));
  const t0 = performance.now(); for (let i = 0; i < 100; i++) p.step(); console.log('ms/it', ((performance.now()-t0)/100).toFixed(2));
})();
