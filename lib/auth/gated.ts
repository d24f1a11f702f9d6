/**
 * Set by scripts/serve.ts in its own process, before Next.js starts there:
 * every request then passes the gate (app/_lib/gate.ts) first. A symbol on
 * globalThis, not a setting, so that no environment can claim it.
 */
export const GATED = Symbol.for('netloom.gated');

export const isGated = (): boolean => (globalThis as Record<symbol, unknown>)[GATED] === true;
