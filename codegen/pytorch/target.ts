import { ok } from '../../lib/result';
import { shippedModules, sourceText } from '../shipped';
import { formChecks } from '../targets/forms';
import type { ExportTarget } from '../targets/target';
import { pytorchAbout } from './about';
import { REQUIREMENTS, TORCH_GITIGNORE, writeTorchReadme } from './project';
import { writeTrainPy } from './train';

/** Netloom's numerics in Python, shipped verbatim in every PyTorch project. */
export const NETLOOM_DIR = 'codegen/pytorch/netloom';

/** A standalone PyTorch training project: train.py (printed from the plan), netloom/, requirements.txt, README.md. */
export const pytorch: ExportTarget<'pytorch'> = {
  ...pytorchAbout,
  ...formChecks((kind) => kind.forms.pytorch !== undefined),
  write(plan) {
    const netloom = shippedModules(NETLOOM_DIR, '.py');
    const files = new Map<string, string>();
    files.set('train.py', writeTrainPy(plan));
    files.set('requirements.txt', REQUIREMENTS);
    files.set('.gitignore', TORCH_GITIGNORE);
    files.set('README.md', writeTorchReadme(plan, { netloom: netloom.map((f) => `netloom/${f}`) }));
    for (const file of netloom) files.set(`netloom/${file}`, sourceText(`${NETLOOM_DIR}/${file}`));
    return ok(files);
  },
};
