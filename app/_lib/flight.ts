/**
 * Server actions' arguments, checked before Next.js decodes them. React's
 * decoder (decodeReply, React 19) throws on a reply it cannot read, and
 * Next.js answers any throw in a server action with a 500; so the proxy
 * refuses such a body with a 400 that says why. What passes is what the
 * app's actions take and React's client sends for them: JSON values with
 * strings `$`-escaped, undefined, NaN, infinities, -0, dates, bigints,
 * FormData (`$K`), and references to other parts of the reply (`$1`, `$@1`,
 * `$0:key:key`) that exist. Maps, sets, blobs, streams, iterators, typed
 * arrays, server and temporary references are refused: no action here
 * takes one.
 */
export const REPLY_LIMITS = {
  /** Arrays and objects inside one another, per part: React's decoder recurses on them. */
  depth: 64,
  /** Parts one reply may reference (each may reference the next: resolving them recurses too). */
  parts: 64,
  /** Arguments of one call (Next.js's own limit). */
  args: 1000,
  /** Digits of a bigint (React's own limit). */
  bigintDigits: 300,
  /** Characters and array elements a reply adds up to, references counted each time (React's own limit: it counts them so). */
  values: 1_000_000,
} as const;

/** A part of the reply by its number (undefined: there is none, or it is a file), and where it comes in the body. */
type Parts = (id: number) => { text: string; position: number } | undefined;

/** Letters after `$` that stand for values React decodes without reading another part. */
const PLAIN_TAGS = new Set(['$', 'u', 'I', '-', 'N', 'D', 'H', 'K']);
/** Letters after `$` for encodings no action here takes (see above). */
const REFUSED_TAGS = new Set([...'ThQWiAOoUSsLlGgMmVBRrXx']);
const REFERENCE = /^\$(@?)([0-9a-f]+)((?::[^:]*)*)$/i;

/** Deeper than `limit` arrays or objects anywhere in this JSON text, counted without parsing it (so without recursing). */
function tooDeep(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/** Why this string would make the decoder throw, or the part it references. */
function checkString(value: string): { problem?: string; reference?: { id: number; path: string[] | undefined } } {
  if (value[0] !== '$') return {};
  const tag = value[1] ?? '';
  if (tag === 'n') {
    const digits = value.slice(2);
    if (!/^-?\d*$/.test(digits)) return { problem: `"${value.slice(0, 40)}" is not a bigint` };
    if (digits.length > REPLY_LIMITS.bigintDigits) return { problem: `a bigint of ${digits.length} digits; the limit is ${REPLY_LIMITS.bigintDigits}` };
    return {};
  }
  if (PLAIN_TAGS.has(tag)) return {};
  if (REFUSED_TAGS.has(tag)) return { problem: `"$${tag}" encodes a value no action takes (a map, set, blob, stream, iterator, typed array, server or temporary reference)` };
  const match = REFERENCE.exec(value);
  if (!match) return { problem: `"${value.slice(0, 40)}" is not a reference to a part` };
  const path = match[3] ? match[3].slice(1).split(':') : [];
  if (match[1] && path.length) return { problem: `"${value.slice(0, 40)}": a promise reference has no path` };
  return { reference: { id: parseInt(match[2]!, 16), path } };
}

/** Walks one parsed part without recursing: every string checked, every reference collected. */
function walk(value: unknown, references: { id: number; path: string[] | undefined }[]): string | undefined {
  const stack: unknown[] = [value];
  while (stack.length) {
    const item = stack.pop();
    if (typeof item === 'string') {
      const { problem, reference } = checkString(item);
      if (problem) return problem;
      if (reference) references.push(reference);
    } else if (Array.isArray(item)) {
      for (const element of item) stack.push(element);
    } else if (item !== null && typeof item === 'object') {
      for (const key of Object.keys(item)) stack.push((item as Record<string, unknown>)[key]);
    }
  }
  return undefined;
}

/**
 * Why the reply whose parts `parts` gives cannot be decoded; `root` checks
 * part 0 once parsed. `streamed`: Next.js decodes the body as it arrives
 * (a multipart fetch action), resolving part 0 as soon as it comes, so
 * every part it reaches must come before it.
 */
function checkReply(parts: Parts, root: (value: unknown) => string | undefined, streamed = false): string | undefined {
  const parsed = new Map<number, unknown>();
  const references: { id: number; path: string[] | undefined }[] = [];
  const pending = [0];
  while (pending.length) {
    const id = pending.pop()!;
    if (parsed.has(id)) continue;
    if (parsed.size >= REPLY_LIMITS.parts) return `the reply references more than ${REPLY_LIMITS.parts} parts`;
    const part = parts(id);
    if (part === undefined) return `part ${id} of the reply is missing`;
    if (streamed && id !== 0 && part.position > parts(0)!.position) return `part ${id} comes after part 0, which references it`;
    const text = part.text;
    if (tooDeep(text, REPLY_LIMITS.depth)) return `part ${id} nests arrays and objects more than ${REPLY_LIMITS.depth} deep`;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return `part ${id} of the reply is not JSON`;
    }
    parsed.set(id, value);
    if (id === 0) {
      const problem = root(value);
      if (problem) return problem;
    }
    const before = references.length;
    const problem = walk(value, references);
    if (problem) return problem;
    for (const reference of references.slice(before)) pending.push(reference.id);
  }
  // A path is followed through arrays and plain objects, by own keys only (as the decoder does); what it reaches counts again.
  let values = [...parsed.keys()].reduce((n, id) => n + (parts(id)?.text.length ?? 0), 0);
  const sizes = new WeakMap<object, number>();
  for (const { id, path } of references) {
    let value = parsed.get(id);
    for (const key of path ?? []) {
      if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return `a reference into part ${id} names "${key.slice(0, 40)}", which it does not have`;
      value = (value as Record<string, unknown>)[key];
    }
    values += sizeOf(value, sizes);
    if (values > REPLY_LIMITS.values) return `the reply adds up to more than ${REPLY_LIMITS.values} values, counting what its references repeat`;
  }
  return undefined;
}

/** A value's size as its JSON text (at least what the decoder counts of it), measured once per object. */
function sizeOf(value: unknown, sizes: WeakMap<object, number>): number {
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object') return 1;
  let size = sizes.get(value);
  if (size === undefined) {
    size = JSON.stringify(value).length;
    sizes.set(value, size);
  }
  return size;
}

const argumentList = (value: unknown) => {
  if (!Array.isArray(value)) return 'the arguments are not a list';
  if (value.length > REPLY_LIMITS.args) return `${value.length} arguments; the limit is ${REPLY_LIMITS.args}`;
  return undefined;
};

/** A call of a server action by fetch (the Next-Action header): its body as text, or as a form when multipart. */
export function malformedReply(body: string | FormData): string | undefined {
  if (typeof body === 'string') return checkReply((id) => (id === 0 ? { text: body, position: 0 } : undefined), argumentList);
  return checkReply(stringEntries(body, ''), argumentList, true);
}

/**
 * A form posted to a page before hydration: a form of useActionState names
 * its action and bound arguments in `$ACTION_REF_n` and the parts
 * `$ACTION_n:0`, `$ACTION_n:1`..., decoded like a reply. (`$ACTION_ID_id`
 * names an action with no parts.)
 */
export function malformedFormAction(form: FormData): string | undefined {
  let reference: string | undefined;
  for (const key of form.keys()) if (key.startsWith('$ACTION_REF_')) reference = key;
  if (reference === undefined) return undefined;
  const prefix = `$ACTION_${reference.slice('$ACTION_REF_'.length)}:`;
  return checkReply(
    stringEntries(form, prefix),
    (value) => (value !== null && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string' ? undefined : `${prefix}0 does not name an action`),
  );
}

/** The text entries of a form named `prefix` and a part number, with where each first comes. */
function stringEntries(form: FormData, prefix: string): Parts {
  const entries = new Map<string, { text: string; position: number }>();
  let position = 0;
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string' && key.startsWith(prefix) && !entries.has(key)) entries.set(key, { text: value, position });
    position += 1;
  }
  return (id) => entries.get(prefix + id);
}
