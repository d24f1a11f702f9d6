import type { GraphDoc } from '../../lib/graph/schema';
import { getTemplate } from '../../lib/templates';

/**
 * The vanilla GAN with every id, name and label replaced by text that breaks
 * naive code generation: quotes, backticks and template holes, comment
 * terminators, line and paragraph separators, unicode, reserved words,
 * Object.prototype members, names of the generated code's own variables and
 * duplicates. Exported, it must type-check and train exactly like the graph.
 */
const NETWORK_IDS: Record<string, string> = { G: 'gen`${process.exit(3)}`', D: 'D */ process.exit(4); /*' };
const NETWORK_NAMES: Record<string, string> = { G: 'opsFor', D: 'constructor' };

const NODE_IDS: Record<string, string> = {
  // main graph
  X: '"X"\n',
  Z: "Z'); process.exit(6); ('",
  G_sample: '__proto__',
  D_real: 'constructor',
  D_fake: 'D fake \u2028 */',
  D_loss_real: '${D_loss_real}',
  D_loss_fake: 'toString',
  D_loss: 'D_loss',
  G_loss: 'G_loss"',
  D_solver: '*/ D_solver',
  G_solver: 'hasOwnProperty',
  // inside G
  z: 'z\r\n"',
  G_h1: 'h',
  G_prob: 'h ',
  G_z: 'out`',
  // inside D
  x: 'tf',
  D_h1: 'ops',
  D_logit: 'ü判别',
  logit: '\u2029',
};

const NODE_LABELS: Record<string, string> = {
  X: 'tf',
  Z: 'batchSize',
  G_sample: 'constructor',
  D_real: 'D',
  D_fake: 'D',
  D_loss_real: '*/ throw new Error("label") /*',
  D_loss_fake: 'model',
  D_loss: 'D_loss `${1}`',
  G_loss: '"); process.exit(5); ("',
  D_solver: '__proto__',
  G_solver: 'losses',
  z: '__proto__',
  G_h1: 'h',
  G_prob: 'h',
  G_z: 'toString',
  x: 'step',
  D_h1: 'class',
  D_logit: 'w',
  logit: 'grad\nknown',
};

export function hostileDoc(): GraphDoc {
  const doc = structuredClone(getTemplate('gan')!.doc);
  const node = (id: string) => NODE_IDS[id] ?? id;
  const network = (id: string) => NETWORK_IDS[id] ?? id;
  const renameNodes = <T extends { nodes: GraphDoc['nodes']; edges: GraphDoc['edges'] }>(scope: T) => {
    const calls = new Set(scope.nodes.filter((n) => n.kind === 'call').map((n) => n.id));
    // Ports of calls are the callee's input and output node ids, renamed like every node.
    const port = (r: { node: string; port: string }) => ({ node: node(r.node), port: calls.has(r.node) ? node(r.port) : r.port });
    for (const e of scope.edges) {
      e.source = port(e.source);
      e.target = port(e.target);
      e.id = `${JSON.stringify(e.source)} -> */ ${JSON.stringify(e.target)}`;
    }
    for (const n of scope.nodes) {
      n.label = NODE_LABELS[n.id] ?? n.label;
      n.id = node(n.id);
      if (n.kind === 'call') n.params = { ...n.params, network: network(n.params.network as string) };
      if (Array.isArray(n.params.networks)) n.params = { ...n.params, networks: (n.params.networks as string[]).map(network) };
    }
  };
  renameNodes(doc);
  for (const n of doc.networks) {
    renameNodes(n);
    n.name = NETWORK_NAMES[n.id] ?? n.name;
    n.id = network(n.id);
  }
  doc.name = 'Hostile */ "GAN" `${name}`\n\u2028 </script>';
  doc.description = 'Line one */ process.exit(7); /*\nLine two with `backticks` and ${holes}\r\n\u2029end';
  doc.training.schedule = doc.training.schedule.map((s) => ({ ...s, optimizer: node(s.optimizer) }));
  const samples = doc.training.previews.samples!;
  doc.training.previews.samples = { ...samples, node: node(samples.node), port: node(samples.port) };
  return doc;
}
