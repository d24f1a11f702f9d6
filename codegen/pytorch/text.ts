/**
 * The one place where text from a graph (names, labels, ids) and the values
 * of params become Python source in train.py. Identifiers come from
 * names.ts; everything else goes through here: a string literal holds
 * exactly the graph's text, a comment or docstring shows it, and none of
 * them can end early or start a line of code.
 *
 * Python ends lines at \n and \r, refuses NUL, and str.splitlines (and some
 * tools) also break at \x0b \x0c \x1c-\x1e \x85 \u2028 \u2029. None of these,
 * nor any other control, format (bidi overrides), separator, surrogate,
 * private-use or unassigned character, is ever written raw: each becomes an
 * escape (\xHH, \uHHHH, \UHHHHHHHH). Outside string contents, train.py is
 * then the same program whatever the graph's names are.
 */

/** Characters never written raw: controls, format characters, line and paragraph separators, surrogates, private use, unassigned. */
const UNSAFE = /^[\p{C}\p{Zl}\p{Zp}]$/u;
const SURROGATE = /^[\p{Cs}]$/u;

/** Python's escape for one code point (a lone surrogate is a code point of its own). */
function escape(ch: string): string {
  const code = ch.codePointAt(0)!;
  const hex = code.toString(16);
  if (code < 0x100) return `\\x${hex.padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

/** The inside of a double-quoted (or triple-double-quoted) string whose value is exactly `text`. */
function stringBody(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (UNSAFE.test(ch)) out += escape(ch);
    else out += ch;
  }
  return out;
}

/** A Python string literal whose value is exactly `text`, UTF-16 code units included (lone surrogates too). */
export function pyString(text: string): string {
  return `"${stringBody(text)}"`;
}

/**
 * Graph text inside a `"""` docstring: every quote and backslash escaped, so
 * it cannot close the docstring (no `"""`, no quote before the closing one)
 * nor form an invalid escape (`\N`, `\x`). Shown, not kept exactly.
 */
export function pyDocText(text: string): string {
  // A class's docstring must encode as UTF-8 (type() copies it): a lone surrogate shows as U+FFFD.
  return stringBody([...text].map((ch) => (SURROGATE.test(ch) ? '\ufffd' : ch)).join(''));
}

/** Graph text after `# `: one line (line breaks and every other unsafe character shown as escapes). */
export function pyCommentText(text: string): string {
  let out = '';
  for (const ch of text) out += UNSAFE.test(ch) ? escape(ch) : ch;
  return out;
}

/** A Python literal of a JSON-like value: None, booleans, finite numbers, strings (pyString), lists and dicts. */
export function pyValue(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyValue).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${pyString(k)}: ${pyValue(v)}`).join(', ')}}`;
  throw new Error(`no Python literal for a ${typeof value}`);
}
