import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { identifier, Namer } from '../../../codegen/names';
import { commentLines, commentText, stringLiteral } from '../../../codegen/text';

const HOSTILE = [
  '', ' ', '123', 'class', 'constructor', '__proto__', 'toString', 'undefined', 'tf', 'a-b c', '*/', '"\'`${x}`',
  'line\nbreak', '\u2028\u2029', 'zero\u200dwidth', 'ü判别', '🙂 emoji', 'x'.repeat(300), 'await', 'yield', 'let', 'eval',
  'é'.normalize('NFD'), '\u202eevil', 'NaN', '$dollar',
];

describe('identifiers from graph names', () => {
  it.each(HOSTILE)('%j becomes a valid, unreserved identifier', (name) => {
    const id = identifier(name);
    const parsed = ts.transpileModule(`const ${id} = 1; export { ${id} };`, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
    expect(parsed.diagnostics).toEqual([]);
    expect(() => new Function(`"use strict"; let ${id} = 1; return ${id};`)).not.toThrow();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain(id);
    expect(['class', 'constructor', 'undefined', 'await', 'let', 'eval', 'NaN']).not.toContain(id);
    expect(id.length).toBeLessThanOrEqual(41);
    expect(identifier(id)).toBe(id);
  });

  it('keeps readable names as they are, and unicode letters', () => {
    expect(identifier('D_h1')).toBe('D_h1');
    expect(identifier('P(Q(x))')).toBe('P_Q_x');
    expect(identifier('ü判别')).toBe('ü判别');
    expect(identifier('zero\u200dwidth')).toBe('zero_width');
  });

  it('makes names unique per scope, deterministically, without shadowing outer names', () => {
    const outer = new Namer(undefined, ['tf']);
    expect(['h', 'h', 'h_2', 'tf'].map((n) => outer.name(n))).toEqual(['h', 'h_2', 'h_2_2', 'tf_2']);
    const inner = outer.child(['step']);
    expect(['h', 'step', 'x'].map((n) => inner.name(n))).toEqual(['h_3', 'step_2', 'x']);
    expect(() => outer.claim('h')).toThrow(/already taken/);
  });
});

describe('user text in comments and strings', () => {
  it('cannot close a comment or start a line of code', () => {
    const text = 'a */ b\nc\r\nd\u2028e\u2029f\u0000g\u202eh';
    const line = commentText(text);
    expect(line).not.toMatch(/\*\/|[\n\r\u2028\u2029\u0000\u202e]/);
    expect(() => new Function(`// ${line}\n/* ${line} */ return 1;`)).not.toThrow();
    expect(commentLines('one\ntwo */')).toEqual(['one', 'two *\\/']);
  });

  it('stays one string literal with the same value', () => {
    for (const text of HOSTILE) expect(new Function(`return ${stringLiteral(text)};`)()).toBe(text);
  });
});
