/**
 * Python identifiers from a graph's names: ASCII letters, digits and
 * underscores, never a keyword, a builtin or a name the generated file uses
 * itself, unique in their scope. Names from the graph otherwise appear only
 * inside string literals, comments and docstrings, through text.ts.
 */
const KEYWORDS = [
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
  'return', 'try', 'while', 'with', 'yield', 'match', 'case', 'type', '_',
];
/** Every builtin of Python 3.11 to 3.13 (and `self`): a graph name never shadows one that the generated code or netloom/ may read. */
const BUILTINS = [
  'ArithmeticError', 'AssertionError', 'AttributeError', 'BaseException', 'BaseExceptionGroup', 'BlockingIOError', 'BrokenPipeError', 'BufferError',
  'BytesWarning', 'ChildProcessError', 'ConnectionAbortedError', 'ConnectionError', 'ConnectionRefusedError', 'ConnectionResetError',
  'DeprecationWarning', 'EOFError', 'Ellipsis', 'EncodingWarning', 'EnvironmentError', 'Exception', 'ExceptionGroup', 'FileExistsError',
  'FileNotFoundError', 'FloatingPointError', 'FutureWarning', 'GeneratorExit', 'IOError', 'ImportError', 'ImportWarning', 'IndentationError',
  'IndexError', 'InterruptedError', 'IsADirectoryError', 'KeyError', 'KeyboardInterrupt', 'LookupError', 'MemoryError', 'ModuleNotFoundError',
  'NameError', 'NotADirectoryError', 'NotImplemented', 'NotImplementedError', 'OSError', 'OverflowError', 'PendingDeprecationWarning',
  'PermissionError', 'ProcessLookupError', 'PythonFinalizationError', 'RecursionError', 'ReferenceError', 'ResourceWarning', 'RuntimeError',
  'RuntimeWarning', 'StopAsyncIteration', 'StopIteration', 'SyntaxError', 'SyntaxWarning', 'SystemError', 'SystemExit', 'TabError',
  'TimeoutError', 'TypeError', 'UnboundLocalError', 'UnicodeDecodeError', 'UnicodeEncodeError', 'UnicodeError', 'UnicodeTranslateError',
  'UnicodeWarning', 'UserWarning', 'ValueError', 'Warning', 'ZeroDivisionError',
  'abs', 'aiter', 'all', 'anext', 'any', 'ascii', 'bin', 'bool', 'breakpoint', 'bytearray', 'bytes', 'callable', 'chr', 'classmethod', 'compile',
  'complex', 'copyright', 'credits', 'delattr', 'dict', 'dir', 'divmod', 'enumerate', 'eval', 'exec', 'exit', 'filter', 'float', 'format',
  'frozenset', 'getattr', 'globals', 'hasattr', 'hash', 'help', 'hex', 'id', 'input', 'int', 'isinstance', 'issubclass', 'iter', 'len', 'license',
  'list', 'locals', 'map', 'max', 'memoryview', 'min', 'next', 'object', 'oct', 'open', 'ord', 'pow', 'print', 'property', 'quit', 'range',
  'repr', 'reversed', 'round', 'set', 'setattr', 'slice', 'sorted', 'staticmethod', 'str', 'sum', 'super', 'tuple', 'type', 'vars', 'zip',
  'self',
];
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
