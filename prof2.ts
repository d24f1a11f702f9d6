import { useBackend } from './lib/train/backend';
import { compile } from './lib/compile/program';
import { nodeMnist } from './lib/data/mnist-node';
import { getTemplate } from './lib/templates';
(async () => {
  const tf = await useBackend('wasm');
  const p: any = await compile(getTemplate(process.argv[2] ?? 'ali')!.doc, { tf, data: nodeMnist() });
  const bench = (name: string) => { for (let i = 0; i < 10; i++) p.step(); const t0 = performance.now(); for (let i = 0; i < 100; i++) p.step(); console.log(name, ((performance.now()-t0)/100).toFixed(2), 'ms/it'); };
  bench('full');
  let spent = 0;
  for (const u of p.updaters.values()) { const orig = u.updater.apply.bind(u.updater); u.updater.apply = (g: any) => { const t0 = performance.now(); orig(g); spent += performance.now() - t0; }; }
  spent = 0; bench('timed'); console.log('optimizer apply ms/it', (spent / 110).toFixed(2));
})();
