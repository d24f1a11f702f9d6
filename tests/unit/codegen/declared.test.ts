import { describe, expect, it } from 'vitest';
import { writeTrainFile } from '../../../codegen/typescript';
import { FIXED_NAMES, TsNames } from '../../../codegen/typescript/names';
import { analyse } from '../../../lib/graph/analyse';
import { lower } from '../../../lib/plan/lower';
import { templates } from '../../../lib/templates';
import { declaredNames } from '../../fixtures/declared';
import { everyNameDoc, hostileDoc } from '../../fixtures/hostile';
import { aliDecodingThroughDec, ganSamplingInside } from '../../fixtures/nested';

/** What the generated train.ts declares is either a name of the generator's own (reserved everywhere) or a name from the graph. */
const docs = [...templates.map((t) => t.doc), hostileDoc(), aliDecodingThroughDec(), ganSamplingInside(), everyNameDoc(FIXED_NAMES)];

describe('names in the generated train.ts', () => {
  it.each(docs.map((doc) => [doc.name, doc] as const))('%s: every declared name is reserved, or the graph\'s and unique', (_name, doc) => {
    const analysis = analyse(doc);
    expect(analysis.errors).toEqual([]);
    const plan = lower(analysis);
    const names = new TsNames(plan);
    const declared = declaredNames(writeTrainFile(plan, names));
    const unknown = declared.filter((name) => !FIXED_NAMES.includes(name) && !names.module.given.has(name));
    expect(unknown, 'declared by the generator but not in FIXED_NAMES').toEqual([]);
    // No name from the graph is one of the generator's.
    expect(declared.filter((name) => names.module.given.has(name) && FIXED_NAMES.includes(name))).toEqual([]);
  });
});
