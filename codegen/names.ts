/**
 * The one place where names from a graph become identifiers in generated
 * code. A name is reduced to letters, digits and underscores (unicode letters
 * are kept, invisible and formatting characters are not), may not start with
 * a digit, may not be a reserved word, a global the generated code relies on
 * or a member of Object.prototype (a property called `__proto__` or
 * `constructor` would not be a plain field), and is unique in its scope.
 * Deterministic: the same names in the same order give the same identifiers.
 */
import { ts } from 'ts-morph';

const RESERVED_WORDS = [
  // ECMAScript keywords, strict-mode and module reserved words
  'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements', 'import', 'in', 'instanceof', 'interface',
  'let', 'new', 'null', 'package', 'private', 'protected', 'public', 'return', 'static', 'super', 'switch', 'this', 'throw',
  'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'arguments', 'eval',
  // TypeScript words that read badly or break declarations
  'any', 'as', 'asserts', 'async', 'boolean', 'declare', 'get', 'infer', 'is', 'keyof', 'module', 'namespace', 'never',
  'number', 'object', 'of', 'readonly', 'require', 'set', 'string', 'symbol', 'type', 'unique', 'unknown', 'bigint',
  // globals whose shadowing would change what generated code means
  'undefined', 'NaN', 'Infinity', 'globalThis', 'Object', 'Array', 'Math', 'JSON', 'Number', 'String', 'Boolean', 'Symbol',
  'Error', 'Promise', 'Map', 'Set', 'Float32Array', 'Uint8Array', 'console', 'process', 'performance', 'Buffer',
];

/** Object.prototype's members: as property names they are not plain fields. */
const PROTOTYPE_MEMBERS = Object.getOwnPropertyNames(Object.prototype);

const RESERVED = new Set([...RESERVED_WORDS, ...PROTOTYPE_MEMBERS]);

const MAX_LENGTH = 40;

const TARGET = ts.ScriptTarget.ES2022;

/** A character both Node and the TypeScript compiler accept inside an identifier (their Unicode tables may differ). */
const identifierPart = (ch: string) => /[\p{ID_Continue}]/u.test(ch) && ts.isIdentifierPart(ch.codePointAt(0)!, TARGET) && !/[\u200c\u200d]/.test(ch);
const identifierStart = (ch: string) => /[\p{ID_Start}_]/u.test(ch) && ts.isIdentifierStart(ch.codePointAt(0)!, TARGET);

/** A valid identifier close to `name`, not yet checked for uniqueness. */
export function identifier(name: string, fallback = 'node'): string {
  const cleaned = [...name.normalize('NFC')]
    .map((ch) => (identifierPart(ch) ? ch : '_'))
    .join('')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  let id = [...cleaned].slice(0, MAX_LENGTH).join('') || fallback;
  if (!identifierStart([...id][0]!)) id = `_${id}`;
  if (RESERVED.has(id)) id = `${id}_`;
  return id;
}

/**
 * Hands out unique identifiers within one scope. A child scope also avoids
 * every name its ancestors have handed out, so an inner name never shadows
 * an outer one the inner code might read.
 */
export class Namer {
  private taken = new Set<string>();
  private suffixes = new Map<string, number>();

  /** Every name handed out by this namer and its children (what the graph named, as opposed to the generator's own). */
  readonly given: Set<string>;

  constructor(
    private parent?: Namer,
    reserved: Iterable<string> = [],
  ) {
    for (const name of reserved) this.taken.add(name);
    this.given = parent?.given ?? new Set();
  }

  child(reserved: Iterable<string> = []): Namer {
    return new Namer(this, reserved);
  }

  /** Claims a name exactly (a fixed name of the generated code); throws if it is taken: that is a bug in the generator. */
  claim(name: string): string {
    if (this.has(name)) throw new Error(`generator bug: "${name}" is already taken in this scope`);
    this.taken.add(name);
    return name;
  }

  /** A unique identifier derived from a user-supplied name: the name, else the name with the first free suffix _2, _3, ... */
  name(userName: string, fallback?: string): string {
    const base = identifier(userName, fallback);
    let candidate = base;
    if (this.has(candidate)) {
      // Names are never given back, so every suffix below the last one used for this base is taken: start there (a graph of 10,000 "dense" nodes stays linear).
      let i = this.suffixes.get(base) ?? 2;
      do candidate = `${base}_${i++}`;
      while (this.has(candidate));
      this.suffixes.set(base, i);
    }
    this.taken.add(candidate);
    this.given.add(candidate);
    return candidate;
  }

  private has(name: string): boolean {
    return this.taken.has(name) || (this.parent?.has(name) ?? false);
  }
}
