import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_MODULES, RUNTIME_PACKAGES } from '../../lib/compile/runtime';

/** The runtime ships verbatim in exported projects: it may import only its own files and a few packages. */
describe.each(RUNTIME_MODULES)('%s', (file) => {
  it('imports only runtime modules and runtime packages', () => {
    const text = readFileSync(file, 'utf8');
    const imports = [...text.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    for (const spec of imports) {
      if (spec.startsWith('.')) {
        const target = path.join(path.dirname(file), spec).replace(/\\/g, '/') + '.ts';
        expect(RUNTIME_MODULES as readonly string[], `${file} imports ${spec}`).toContain(target);
      } else {
        expect(RUNTIME_PACKAGES as readonly string[], `${file} imports ${spec}`).toContain(spec);
      }
    }
  });
});
