/**
 * Analysis time on large graphs: a 500-node main graph (chains of dense and
 * activation nodes between calls of a network) analysed from scratch, as the
 * editor does after every edit (a new document object each time).
 *   npx tsx bench/analyse.ts [--nodes 500]
 */
import { parseArgs } from 'node:util';
import { analyse } from '../lib/graph/analyse';
import { loadGraphDoc } from '../lib/graph/migrations';
import { bigGraph } from './big-graph';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '500' } } });
const target = Number(values.nodes);

const input = bigGraph(target);
const loaded = loadGraphDoc(input);
if (!loaded.ok) throw new Error(loaded.error);
const doc = loaded.value;
const first = analyse(structuredClone(doc));
if (!first.ok) throw new Error(JSON.stringify(first.errors.slice(0, 3)));

const times: number[] = [];
for (let i = 0; i < 200; i++) {
  const copy = { ...doc, nodes: [...doc.nodes] }; // a new document object, like an edit produces
  const start = performance.now();
  analyse(copy);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const pct = (p: number) => times[Math.floor((p / 100) * (times.length - 1))]!.toFixed(2);
console.log(
  `analyse: ${doc.nodes.length} main-graph nodes + ${doc.networks[0]!.nodes.length} network nodes, ${doc.edges.length} edges: ` +
    `median ${pct(50)} ms, p95 ${pct(95)} ms, max ${pct(100)} ms over ${times.length} runs`,
);
