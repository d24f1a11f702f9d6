import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportProject, SUPPORT_MODULES } from '../../codegen/export';
import { RUNTIME_MODULES } from '../../lib/compile/runtime';
import { templates } from '../../lib/templates';

/**
 * Golden files: the generated files of every template, committed, so a change
 * to the generator shows up as a reviewed diff. UPDATE_GOLDEN=1 rewrites them.
 * (Stored as *.golden: as .ts files the repository's type-check would pick
 * them up without their runtime modules beside them.)
 */
const GENERATED = ['train.ts', 'package.json', 'tsconfig.json', 'README.md'];
const golden = (template: string, file: string) => path.join('tests/codegen/golden', template, `${file}.golden`);

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
    for (const module of RUNTIME_MODULES) expect(files.get(`runtime/${path.basename(module)}`)).toBe(readFileSync(module, 'utf8'));
    for (const module of SUPPORT_MODULES) expect(files.get(`support/${module}`)).toBe(readFileSync(`codegen/support/${module}`, 'utf8'));
    expect([...files.keys()].sort()).toEqual(
      [...GENERATED, '.gitignore', ...RUNTIME_MODULES.map((m) => `runtime/${path.basename(m)}`), ...SUPPORT_MODULES.map((m) => `support/${m}`)].sort(),
    );
  });

  it('is deterministic', () => {
    const again = exportProject(structuredClone(template.doc));
    expect(again.ok && again.value.files.get('train.ts')).toBe(files.get('train.ts'));
  });
});
