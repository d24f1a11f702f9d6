import { ok } from '../../lib/result';
import { shippedModules, sourceText } from '../shipped';
import { formChecks } from '../targets/forms';
import type { ExportTarget } from '../targets/target';
import { typescriptAbout } from './about';
import { writeTrainFile } from './index';
import { TsNames } from './names';
import { GITIGNORE, writePackageJson, writeReadme, writeTsconfig } from './project';

const RUNTIME_DIR = 'lib/runtime';
const SUPPORT_DIR = 'codegen/typescript/support';

/**
 * A standalone TypeScript training project: package.json, tsconfig.json,
 * README.md, train.ts (printed from the plan), runtime/ (lib/runtime
 * verbatim: Netloom's numerics, the checkpoint format and the training loop)
 * and support/ (backend, flags, data files, checkpoint folders, PNGs; fixed
 * Node modules).
 */
export const typescript: ExportTarget<'typescript'> = {
  ...typescriptAbout,
  ...formChecks((kind) => kind.forms.typescript !== undefined),
  write(plan) {
    const runtime = shippedModules(RUNTIME_DIR);
    const support = shippedModules(SUPPORT_DIR);
    const files = new Map<string, string>();
    files.set('package.json', writePackageJson(plan));
    files.set('tsconfig.json', writeTsconfig());
    files.set('.gitignore', GITIGNORE);
    files.set('README.md', writeReadme(new TsNames(plan), { runtime: runtime.map((f) => `runtime/${f}`), support: support.map((f) => `support/${f}`) }));
    files.set('train.ts', writeTrainFile(plan));
    for (const file of runtime) files.set(`runtime/${file}`, sourceText(`${RUNTIME_DIR}/${file}`));
    for (const file of support) files.set(`support/${file}`, sourceText(`${SUPPORT_DIR}/${file}`));
    return ok(files);
  },
};
