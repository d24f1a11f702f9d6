/**
 * The editor route's first-load JavaScript, from the production build's own
 * route statistics (.next/diagnostics/route-bundle-stats.json): its size, raw
 * and gzipped, and a check that neither tfjs nor ts-morph is in it (tfjs
 * loads only in the training worker, ts-morph only on the server).
 *   npx next build && npx tsx bench/editor-bundle.ts
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// Strings that survive minification: a tfjs-core flag name and a TypeScript compiler diagnostic.
const MARKERS: Record<string, RegExp> = {
  tfjs: /DEPRECATION_WARNINGS_ENABLED/,
  'ts-morph': /Unterminated string literal/,
};

const stats = JSON.parse(readFileSync('.next/diagnostics/route-bundle-stats.json', 'utf8')) as { route: string; firstLoadChunkPaths: string[] }[];
let failed = false;
for (const { route, firstLoadChunkPaths } of stats) {
  if (route === '/_not-found') continue;
  let raw = 0;
  let gzip = 0;
  const found = new Set<string>();
  for (const file of firstLoadChunkPaths) {
    const text = readFileSync(file);
    raw += text.length;
    gzip += gzipSync(text).length;
    for (const [name, marker] of Object.entries(MARKERS)) if (marker.test(text.toString('utf8'))) found.add(name);
  }
  console.log(`${route.padEnd(16)} first-load JS ${(raw / 1024).toFixed(0)} KiB (${(gzip / 1024).toFixed(0)} KiB gzipped) in ${firstLoadChunkPaths.length} chunks; ${found.size ? `CONTAINS ${[...found].join(', ')}` : 'no tfjs, no ts-morph'}`);
  if (found.size) failed = true;
}
process.exit(failed ? 1 : 0);
