import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pyCommentText, pyDocText, pyString, pyValue } from '../../../codegen/pytorch/text';
import { pyLiteral } from '../../../lib/kinds/common';
import { hostileName } from '../../fixtures/fuzz';

/**
 * Graph text in train.py (codegen/pytorch/text.ts). Python itself reads it
 * back in tests/integration/codegen/fuzz-names-torch.test.ts; here, what
 * each form may hold, over fast-check's hostile names.
 */
const TEXTS = [...fc.sample(hostileName, { seed: 7, numRuns: 1000 }), '"""', '\\', 'a"', '\\N{', '\u0000\n\r\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029', '\ud800', '\udfff\ud800'];
/** What Python (or a tool reading train.py) may take for a line end, or never shows: controls, format characters, separators, surrogates. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

describe('graph text in Python source', () => {
  it('holds no raw control, format, separator or surrogate character in any form', () => {
    for (const text of TEXTS) for (const out of [pyString(text), pyDocText(text), pyCommentText(text)]) expect(out).not.toMatch(UNSAFE);
  });

  it('cannot end a string literal or a docstring early, nor escape the closing quote', () => {
    for (const text of TEXTS) {
      for (const body of [pyString(text).slice(1, -1), pyDocText(text)]) {
        // Every quote and backslash is escaped: with escapes removed, none is left.
        expect(body.replace(/\\[\\"xuU]/g, '')).not.toMatch(/["\\]/);
      }
    }
  });

  it('writes Python literals of params and identities', () => {
    expect(pyValue({ a: [1, -0.5, true, null], 'b"': 'x\n' })).toBe('{"a": [1, -0.5, True, None], "b\\"": "x\\x0a"}');
    expect(() => pyValue(Number.NaN)).toThrow(/finite/);
  });
});

describe('the one way graph text reaches Python', () => {
  it('is text.ts: the other PyTorch writers print no string literal of their own', () => {
    // conformance.ts writes its harness's cases as JSON for Python to read, never train.py.
    const writers = readdirSync('codegen/pytorch').filter((f) => f.endsWith('.ts') && f !== 'text.ts' && f !== 'conformance.ts');
    for (const file of writers) expect(readFileSync(`codegen/pytorch/${file}`, 'utf8'), file).not.toMatch(/JSON\.stringify|pyLiteral/);
  });

  it("a kind's torch form prints only its own words: any other string is a generator bug", () => {
    expect(pyLiteral({ distribution: 'uniform', shape: [2], range: '-1..1' })).toBe('{"distribution": "uniform", "shape": [2], "range": "-1..1"}');
    expect(() => pyLiteral('a"); import os')).toThrow(/generator bug/);
    expect(() => pyLiteral({ 'x"': 1 })).toThrow(/generator bug/);
  });
});
