/**
 * Exporting a 10,000-node graph (bench/big-graph.ts): how long the exporter
 * takes on this thread (cold, then the median of warm runs), how long the
 * app's export thread takes, and how long the server's own thread is held
 * meanwhile (the longest event-loop delay while the export runs: other
 * requests wait at most that long).
 *   npx tsx bench/export-large.ts [--nodes 10000] [--runs 5]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { exportZip } from '../app/_lib/export-thread';
import { exportProject } from '../codegen/export';
import { loadGraphDoc } from '../lib/graph/migrations';
import { bigGraph } from './big-graph';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '10000' }, runs: { type: 'string', default: '5' } } });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const loaded = loadGraphDoc(bigGraph(Number(values.nodes)));
  if (!loaded.ok) throw new Error(loaded.error);
  const doc = loaded.value;
  const nodes = doc.nodes.length + doc.networks.reduce((n, net) => n + net.nodes.length, 0);

  const here = (): number => {
    const start = performance.now();
    const exported = exportProject(structuredClone(doc));
    if (!exported.ok) throw new Error(exported.error);
    return performance.now() - start;
  };
  const cold = here();
  const warm = median(Array.from({ length: Number(values.runs) }, here));
  console.log(`export ${nodes} nodes on this thread: ${cold.toFixed(0)} ms cold, ${warm.toFixed(0)} ms warm (median of ${values.runs})`);

  const threaded: number[] = [];
  const held: number[] = [];
  for (let i = 0; i <= Number(values.runs); i++) {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const start = performance.now();
    const zip = await exportZip('bench', doc, 'big', {});
    if (!zip.ok) throw new Error(zip.error.message);
    const took = performance.now() - start;
    delay.disable();
    if (i === 0) console.log(`export thread, first export (thread start included): ${took.toFixed(0)} ms`);
    else {
      threaded.push(took);
      held.push(delay.max / 1e6);
    }
  }
  console.log(`export thread: ${median(threaded).toFixed(0)} ms (median), the server's thread held at most ${Math.max(...held).toFixed(0)} ms meanwhile`);
  process.exit(0);
}

main();
