import { z } from 'zod';
import { getKind } from '../kinds/registry';
import { err, ok, type Result } from '../result';
import { CURRENT_SCHEMA_VERSION, GRAPH_LIMITS, GraphDocSchema, type GraphDoc } from './schema';

/**
 * Ordered, named upgrades. `up` turns a document of version `from` into one of
 * version `from + 1`. Append one here whenever the GraphDoc shape changes, and
 * bump CURRENT_SCHEMA_VERSION with it.
 */
export interface Migration {
  from: number;
  name: string;
  up(doc: Record<string, unknown>): Record<string, unknown>;
}

export const migrations: readonly Migration[] = [
  {
    from: 1,
    name: 'explicit schedule and loss epsilons',
    // v1 ran every optimizer once in document order when the schedule was empty; v2 lists them. Log-loss
    // now defaults to the seeds' epsilon (1e-8): nodes that relied on the old default keep it.
    up(doc) {
      const nodes = Array.isArray(doc.nodes) ? (doc.nodes as { id?: unknown; kind?: unknown; params?: Record<string, unknown> }[]) : [];
      const training = (doc.training ?? {}) as { schedule?: unknown[] };
      if (typeof training !== 'object' || Array.isArray(training) || (training.schedule !== undefined && !Array.isArray(training.schedule))) return doc;
      const schedule = training.schedule?.length
        ? training.schedule
        : nodes.filter((n) => getKind(String(n.kind))?.role === 'optimizer').map((n) => ({ optimizer: n.id, repeat: 1 }));
      const upgraded = nodes.map((n) => (n.kind === 'log-loss' && n.params?.epsilon === undefined ? { ...n, params: { ...n.params, epsilon: 1e-7 } } : n));
      // Only upgrades what is there: a malformed document stays malformed for the schema to report.
      return { ...doc, ...(Array.isArray(doc.nodes) && { nodes: upgraded }), training: { ...training, schedule } };
    },
  },
];

const Versioned = z.object({ schemaVersion: z.number().int().min(0) }).loose();

/**
 * Reads a GraphDoc from JSON text or an already-parsed value. Older versions are
 * upgraded step by step; newer or malformed documents are rejected whole with a
 * message that says what is wrong, never half-loaded.
 */
export function loadGraphDoc(
  input: unknown,
  chain: readonly Migration[] = migrations,
  currentVersion: number = CURRENT_SCHEMA_VERSION,
): Result<GraphDoc> {
  const bytes = graphBytes(input);
  if (bytes === undefined) return err('Not a Netloom graph: it cannot be written as JSON');
  if (bytes > GRAPH_LIMITS.bytes) return err(`The graph is ${(bytes / 2 ** 20).toFixed(1)} MiB as JSON; the limit is ${GRAPH_LIMITS.bytes / 2 ** 20} MiB`);
  let raw = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (e) {
      return err(`Not valid JSON: ${(e as Error).message}`);
    }
  }
  const versioned = Versioned.safeParse(raw);
  if (!versioned.success) {
    return err('Not a Netloom graph: expected an object with a numeric "schemaVersion".');
  }
  let doc: Record<string, unknown> = versioned.data;
  let version = versioned.data.schemaVersion;
  if (version > currentVersion) {
    return err(
      `This graph was saved with schemaVersion ${version}, newer than this Netloom understands (${currentVersion}). Update Netloom to open it.`,
    );
  }
  while (version < currentVersion) {
    const step = chain.find((m) => m.from === version);
    if (!step) return err(`No migration from schemaVersion ${version}: this document cannot be upgraded.`);
    try {
      doc = { ...step.up(doc), schemaVersion: version + 1 };
    } catch (e) {
      return err(`Migration "${step.name}" (v${version} -> v${version + 1}) failed: ${(e as Error).message}`);
    }
    version += 1;
  }
  const parsed = GraphDocSchema.safeParse(doc);
  if (!parsed.success) return err(`Invalid graph document:\n${z.prettifyError(parsed.error)}`);
  return ok(parsed.data);
}

/** Its size as UTF-8 JSON, without building a copy past the limit for a string. */
function graphBytes(input: unknown): number | undefined {
  // A UTF-16 string of n units is at most 3n bytes of UTF-8 and at least n.
  if (typeof input === 'string') return input.length > GRAPH_LIMITS.bytes ? input.length : new TextEncoder().encode(input).length;
  try {
    return new TextEncoder().encode(JSON.stringify(input) ?? '').length;
  } catch {
    return undefined; // a cycle, a BigInt
  }
}
