import { execFileSync } from 'node:child_process';

/**
 * A Python that imports torch, numpy and Pillow (what a PyTorch project
 * needs): $PYTHON, else Debian's /usr/bin/python3 (where python3-torch
 * installs), else the first python3 on PATH. An earlier python3 on PATH (a
 * pyenv shim) often lacks torch, so each is asked. For tests, benchmarks and
 * the harness; exports never run Python.
 */
export function torchPython(): string {
  const candidates = [process.env.PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => Boolean(c));
  for (const python of candidates) {
    try {
      execFileSync(python, ['-c', 'import torch, numpy, PIL'], { stdio: 'ignore' });
      return python;
    } catch {
      // not this one
    }
  }
  throw new Error(`no Python with torch, numpy and Pillow among ${candidates.join(', ')}: apt-get install python3-torch python3-pil, or set PYTHON`);
}
