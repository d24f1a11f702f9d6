import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportProject } from '../../../codegen/export';
import { templates } from '../../../lib/templates';

/**
 * Golden files: the generated files of every template, committed, so a change
 * to the generator shows up as a reviewed diff. UPDATE_GOLDEN=1 rewrites them.
 * (Stored as *.golden: as .ts files the repository's type-check would pick
 * them up without their runtime modules beside them.)
 */
const GENERATED = ['train.ts', 'package.json', 'tsconfig.json', 'README.md'];
const golden = (template: string, file: string) => path.join('tests/unit/codegen/golden', template, `${file}.golden`);
/** Every module of a folder ships: the runtime whole, and the Node support modules. */
const shipped = (dir: string, as: string) => readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => ({ from: `${dir}/${f}`, to: `${as}/${f}` }));
const MODULES = [...shipped('lib/runtime', 'runtime'), ...shipped('codegen/typescript/support', 'support')];

describe.each(templates.map((t) => [t.id, t] as const))('export of %s', (id, template) => {
  const project = exportProject(template.doc);
  if (!project.ok) throw new Error(project.error);
  const files = project.value.files;

  it.each(GENERATED)('%s matches its golden file', async (file) => {
    const text = files.get(file)!;
    if (process.env.UPDATE_GOLDEN) {
      await mkdir(path.dirname(golden(id, file)), { recursive: true });
      await writeFile(golden(id, file), text);
    }
    expect(existsSync(golden(id, file)), `${golden(id, file)} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(text).toBe(readFileSync(golden(id, file), 'utf8'));
  });

  it('ships the runtime and support modules verbatim', () => {
    for (const { from, to } of MODULES) expect(files.get(to), to).toBe(readFileSync(from, 'utf8'));
    expect([...files.keys()].sort()).toEqual([...GENERATED, '.gitignore', ...MODULES.map((m) => m.to)].sort());
  });

  it('is deterministic', () => {
    const again = exportProject(structuredClone(template.doc));
    expect(again.ok && again.value.files.get('train.ts')).toBe(files.get('train.ts'));
  });
});
