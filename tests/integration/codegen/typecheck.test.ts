import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { templates } from '../../../lib/templates';
import { FIXED_NAMES } from '../../../codegen/typescript/names';
import { everyNameDoc, hostileBlockDoc, hostileDoc } from '../../fixtures/hostile';
import { exec, TSC, workspace, writeExport } from '../../fixtures/workspace';

/**
 * Every exported project type-checks with `tsc --strict --noEmit` under its
 * own tsconfig, against the packages it declares. One tsc program covers all
 * the projects (each in its own folder) so the check stays fast.
 */
const projects = [...templates.map((t) => ({ id: t.id, doc: t.doc })), { id: 'hostile', doc: hostileDoc() }, { id: 'hostile-block', doc: hostileBlockDoc() }, { id: 'every-name', doc: everyNameDoc(FIXED_NAMES) }];
let root: string;

beforeAll(async () => {
  root = await workspace();
  for (const { id, doc } of projects) await writeExport(path.join(root, id), doc);
  // The projects' own compiler options, over all of them at once.
  const config = JSON.parse(await readFile(path.join(root, projects[0]!.id, 'tsconfig.json'), 'utf8'));
  await writeFile(path.join(root, 'tsconfig.json'), JSON.stringify({ ...config, include: projects.map((p) => `${p.id}/**/*.ts`) }));
});

describe('exported projects', () => {
  it('type-check with tsc --strict --noEmit', async () => {
    const result = await exec(TSC, ['-p', 'tsconfig.json', '--strict', '--noEmit'], root);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('declare every package their code imports', async () => {
    for (const { id } of projects) {
      const pkg = JSON.parse(await readFile(path.join(root, id, 'package.json'), 'utf8'));
      const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies), ...Object.keys(pkg.devDependencies)]);
      const sources = (await exec('find', ['.', '-name', '*.ts', '-not', '-path', './node_modules/*'], path.join(root, id))).stdout.trim().split('\n');
      for (const file of sources) {
        const text = await readFile(path.join(root, id, file), 'utf8');
        for (const [, spec] of text.matchAll(/(?:from|import\()\s*['"]([^'"./][^'"]*)['"]/g)) {
          const name = spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!;
          if (!name.startsWith('node:')) expect(declared, `${id}/${file} imports ${spec}`).toContain(name);
        }
      }
    }
  });
});
