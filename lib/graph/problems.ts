/** Every kind of problem analysis reports; tests cover each one. */
export type ProblemCode =
  | 'duplicate-id'
  | 'unknown-kind'
  | 'invalid-params'
  | 'misplaced-node'
  | 'unknown-node'
  | 'unknown-port'
  | 'extra-connection'
  | 'missing-connection'
  | 'cycle'
  | 'shape-mismatch'
  | 'unknown-network'
  | 'network-recursion'
  | 'network-without-outputs'
  | 'weights-outside-network'
  | 'unused-loss'
  | 'optimizer-without-networks'
  | 'optimizer-unreachable'
  | 'sampler-in-training'
  | 'network-trained-twice'
  | 'invalid-schedule'
  | 'invalid-preview'
  | 'out-of-range'
  | 'duplicate-name'
  | 'unused-source'
  | 'network-nesting'
  | 'block-parameter'
  | 'memory-budget';

/**
 * One problem, saying where it is (network, node, port, edge or field), what is
 * wrong and how to fix it. `network` is undefined for the main graph.
 */
export interface Problem {
  code: ProblemCode;
  severity: 'error' | 'warning';
  message: string;
  fix: string;
  network?: string;
  node?: string;
  port?: string;
  /** What the port is called where people see it (a call's ports carry its network's input and output names). */
  portLabel?: string;
  edge?: string;
  field?: string;
}

/** "D / dense_1 port x: expects ..." style one-liner for terminals and logs. */
export function formatProblem(p: Problem, names?: { network?: (id: string) => string; node?: (id: string) => string }): string {
  const where = [
    p.network !== undefined ? `network ${names?.network?.(p.network) ?? p.network}` : undefined,
    p.node !== undefined ? `node ${names?.node?.(p.node) ?? p.node}` : undefined,
    p.port !== undefined ? `port ${p.portLabel ?? p.port}` : undefined,
    p.edge !== undefined ? `edge ${p.edge}` : undefined,
    p.field !== undefined ? `field ${p.field}` : undefined,
  ].filter(Boolean);
  return `${p.severity}: ${where.length ? `${where.join(', ')}: ` : ''}${p.message}${p.fix ? ` (${p.fix})` : ''}`;
}
