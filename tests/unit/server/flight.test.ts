import { describe, expect, it } from 'vitest';
import { malformedFormAction, malformedReply, REPLY_LIMITS } from '@/app/_lib/flight';
import { craftedBodies, LEGITIMATE_ARGUMENTS, reactCodec, type CraftedBody } from '../../fixtures/flight';

/**
 * The proxy's check of server-action bodies against React's own decoder
 * (React 19 as Next.js ships it, run in a child process): every body the
 * check lets through decodes to a list of arguments, so Next.js never
 * answers one with a 500; and what React's client sends for the app's
 * actions passes.
 */
const asBody = (body: CraftedBody): string | FormData => {
  if ('text' in body) return body.text;
  const form = new FormData();
  for (const [key, value] of body.form) form.append(key, value);
  return form;
};
const shown = (body: CraftedBody) => JSON.stringify(body).slice(0, 160);

describe('server-action bodies', () => {
  const crafted = craftedBodies(1200);
  const { encoded, decoded } = reactCodec(LEGITIMATE_ARGUMENTS, crafted);

  it("let through what React's client sends for the app's actions", () => {
    expect(encoded.some((b) => 'form' in b)).toBe(true);
    for (const body of encoded) expect({ body: shown(body), problem: malformedReply(asBody(body)) }).toEqual({ body: shown(body), problem: undefined });
  });

  it("let through only what React's decoder takes, and refuse the rest with a reason", () => {
    let refused = 0;
    crafted.forEach((body, i) => {
      const problem = malformedReply(asBody(body));
      if (problem) refused += 1;
      else expect({ body: shown(body), decoded: decoded[i] }).toEqual({ body: shown(body), decoded: { ok: true } });
      if (!decoded[i]!.ok) expect(problem, `${shown(body)}: React fails with ${decoded[i]!.error}`).toBeTruthy();
    });
    const failing = decoded.filter((d) => !d.ok).length;
    console.log(`${crafted.length} crafted bodies: React's decoder fails on ${failing}, the check refuses ${refused}`);
    // The crafted set reaches the decoder's failures, and the check does not refuse everything.
    expect(failing).toBeGreaterThan(200);
    expect(refused).toBeLessThan(crafted.length);
  });

  it('names the limit a body goes past', () => {
    expect(malformedReply('['.repeat(REPLY_LIMITS.depth + 1) + ']'.repeat(REPLY_LIMITS.depth + 1))).toMatch(`more than ${REPLY_LIMITS.depth} deep`);
    expect(malformedReply(JSON.stringify(Array(REPLY_LIMITS.args + 1).fill(0)))).toMatch(`the limit is ${REPLY_LIMITS.args}`);
    expect(malformedReply('{}')).toMatch('not a list');
    expect(malformedReply('[')).toMatch('not JSON');
    expect(malformedReply('["$1"]')).toMatch('part 1 of the reply is missing');
  });
});

describe('forms posted before hydration', () => {
  const form = (entries: [string, string][]) => {
    const data = new FormData();
    for (const [key, value] of entries) data.append(key, value);
    return data;
  };

  it("let through a form with its action's id, or the parts of useActionState's form", () => {
    expect(malformedFormAction(form([['$ACTION_ID_abc', ''], ['name', 'x']]))).toBeUndefined();
    expect(malformedFormAction(form([['$ACTION_REF_1', ''], ['$ACTION_1:0', '{"id":"abc","bound":"$@1"}'], ['$ACTION_1:1', '[{}]'], ['$ACTION_KEY', 'k1'], ['name', 'x']]))).toBeUndefined();
  });

  it('refuse action parts that are missing, not JSON or name no action', () => {
    expect(malformedFormAction(form([['$ACTION_REF_1', '']]))).toMatch('part 0 of the reply is missing');
    expect(malformedFormAction(form([['$ACTION_REF_1', ''], ['$ACTION_1:0', '{']]))).toMatch('not JSON');
    expect(malformedFormAction(form([['$ACTION_REF_1', ''], ['$ACTION_1:0', '[]']]))).toMatch('does not name an action');
    expect(malformedFormAction(form([['$ACTION_REF_1', ''], ['$ACTION_1:0', '{"id":"abc","bound":"$@1"}']]))).toMatch('part 1 of the reply is missing');
    expect(malformedFormAction(form([['$ACTION_REF_1', ''], ['$ACTION_1:0', '{"id":"abc","bound":"$@1"}'], ['$ACTION_1:1', '["$T"]']]))).toMatch('no action takes');
  });
});
