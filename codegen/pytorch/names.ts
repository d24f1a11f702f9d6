/**
 * Python identifiers from a graph's names: ASCII letters, digits and
 * underscores, never a keyword, a builtin or a name the generated file uses
 * itself, unique in their scope. Names from the graph otherwise appear only
 * inside string literals and comments.
 */
const KEYWORDS = [
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
  'return', 'try', 'while', 'with', 'yield', 'match', 'case', 'type', '_',
];
const BUILTINS = ['print', 'len', 'range', 'list', 'dict', 'set', 'tuple', 'str', 'int', 'float', 'bool', 'sum', 'min', 'max', 'abs', 'open', 'super', 'object', 'self', 'id', 'input', 'iter', 'next', 'map', 'zip', 'all', 'any'];
/** What the generated train.py itself names at module level or in functions. */
const GENERATED = [
  'argparse', 'json', 'os', 'sys', 'time', 'torch', 'nd', 'init', 'ops', 'optim', 'grid', 'philox',
  'checkpoint', 'loop', 'quality',
  'weight', 'minimize', 'Model', 'Streams', 'create_streams', 'create_optimizers', 'train_iteration', 'write_grids', 'main',
  'model_weights', 'generate_samples',
  'model', 'streams', 'optimizers', 'batch_size', 'losses', 'device', 'seed', 'datasets', 'resume_at', 'args', 'nets', 'name',
  'GRAPH_NAME', 'ITERATIONS', 'BATCH_SIZE', 'SEED', 'SAMPLE_EVERY', 'LOG_EVERY', 'DATA_DIR', 'OUT_DIR', 'PREVIEW_COUNT', 'PREVIEW_COLUMNS',
  'IDENTITY', 'EVAL_EVERY', 'EVAL_SAMPLES',
  'forward', 'parameters', 'training', 'train', 'eval', 'to', 'WEIGHTS', 'round_', 'index', 'out', 'drawn',
  'at', 'draws', 'step', 'iteration', 'site',
];
const RESERVED = new Set([...KEYWORDS, ...BUILTINS, ...GENERATED]);

export function pyIdentifier(name: string, fallback = 'node'): string {
  let id = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  if (!id) id = fallback;
  if (/^[0-9]/.test(id)) id = `_${id}`;
  if (RESERVED.has(id) || id.startsWith('__')) id = `${id}_`;
  return id;
}

/** Unique identifiers within one scope (a child also avoids its parent's). */
export class PyNamer {
  private taken = new Set<string>();
  constructor(private parent?: PyNamer) {}

  child(): PyNamer {
    return new PyNamer(this);
  }

  private has(name: string): boolean {
    return this.taken.has(name) || (this.parent?.has(name) ?? false);
  }

  name(wanted: string): string {
    const base = pyIdentifier(wanted);
    let id = base;
    for (let i = 2; this.has(id); i++) id = `${base}_${i}`;
    this.taken.add(id);
    return id;
  }
}
