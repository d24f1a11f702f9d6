import type { ParamRef } from '../graph/blocks';
import type { BlockParam, Edge, GraphDocInput, GraphNode, PortRef } from '../graph/schema';
import { networkInput } from '../kinds/networks/network-input';
import { networkOutput } from '../kinds/networks/network-output';

/**
 * A small builder for writing templates as code that reads like the seeds:
 * `const h = n.add('dense', 'h', { units: 128 }, { x })`. Ids come from labels;
 * positions are laid out left to right by depth so templates open tidy.
 */
export interface NodeHandle extends PortRef {
  id: string;
  /** Another output port of the same node. */
  out(port: string): PortRef;
}

export class ScopeBuilder {
  readonly nodes: GraphNode[] = [];
  readonly edges: Edge[] = [];
  private depth = new Map<string, number>();
  /** Nodes at each depth, and ids taken: linear in the number of nodes (bench graphs have thousands). */
  private rows = new Map<number, number>();
  private ids = new Set<string>();
  private next = new Map<string, number>();

  add(kind: string, label: string, params: Record<string, unknown>, inputs: Record<string, PortRef> = {}, mainPort = 'y'): NodeHandle {
    const id = this.uniqueId(label);
    const depth = Math.max(0, ...Object.values(inputs).map((ref) => (this.depth.get(ref.node) ?? 0) + 1));
    this.depth.set(id, depth);
    const row = this.rows.get(depth) ?? 0;
    this.rows.set(depth, row + 1);
    this.nodes.push({ id, kind, label, params, position: { x: depth * 260, y: row * 140 } });
    for (const [port, source] of Object.entries(inputs)) {
      this.edges.push({ id: `${source.node}.${source.port}->${id}.${port}`, source, target: { node: id, port } });
    }
    return { id, node: id, port: mainPort, out: (port) => ({ node: id, port }) };
  }

  private uniqueId(label: string): string {
    const base = portId(label);
    let id = base;
    let i = this.next.get(base) ?? 2;
    while (this.ids.has(id)) id = `${base}_${i++}`;
    this.next.set(base, i);
    this.ids.add(id);
    return id;
  }
}

export class NetworkBuilder extends ScopeBuilder {
  /** Puts a node at a cell of a grid (columns 300 px apart, rows 130): a layout the template draws itself (see Template.placed). */
  place(node: PortRef, column: number, row: number): void {
    this.nodes.find((n) => n.id === node.node)!.position = { x: column * 300, y: row * 130 };
  }

  /** An input of one item's shape; inside a block, sizes may read its parameters (`param('channels')`). */
  input(label: string, shape: (number | ParamRef)[]): NodeHandle {
    return this.add(networkInput.kind, label, { shape }, {}, networkInput.port);
  }
  output(label: string, value: PortRef): NodeHandle {
    return this.add(networkOutput.kind, label, {}, { [networkOutput.port]: value }, networkOutput.port);
  }
}

export interface Template {
  id: string;
  doc: GraphDocInput;
  /** Networks whose nodes the template places itself (a U-Net drawn as a U), kept as placed; the rest are laid out automatically. */
  placed?: readonly string[];
}

export function network(id: string, name: string, color: string, body: (n: NetworkBuilder) => void) {
  const builder = new NetworkBuilder();
  body(builder);
  return { id, name, color, nodes: builder.nodes, edges: builder.edges };
}

/** A block (lib/graph/blocks.ts): a network whose every call is a copy with its own weights, sized by its values of `params`. */
export function block(id: string, name: string, color: string, params: readonly BlockParam[], body: (n: NetworkBuilder) => void) {
  return { ...network(id, name, color, body), block: { params: [...params] } };
}

/** A param value read from the block's parameter `name`. */
export const param = (name: string): ParamRef => ({ param: name });

/** Port ids of a call node are the network's input/output node ids, which the builder derives from labels. */
export const portId = (label: string) => label.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'node';

/**
 * The GAN objective on D's logits, as the seeds write it: D_loss =
 * CE(D(x), 1) + CE(D(G(z)), 0), G_loss = CE(D(G(z)), 1) (non-saturating),
 * each minimised by its own optimizer over D and over G. `smoothing`:
 * one-sided label smoothing of the real targets.
 */
export function ganObjective(
  m: ScopeBuilder,
  logits: { real: PortRef; fake: PortRef },
  solvers: { d: { kind: string; params: Record<string, unknown> }; g: { kind: string; params: Record<string, unknown> } },
  smoothing = 0,
): { dSolver: NodeHandle; gSolver: NodeHandle } {
  const dReal = m.add('sigmoid-cross-entropy', 'D_loss_real', { target: 'ones', ...(smoothing ? { smoothing } : {}) }, { logits: logits.real }, 'loss');
  const dFake = m.add('sigmoid-cross-entropy', 'D_loss_fake', { target: 'zeros' }, { logits: logits.fake }, 'loss');
  const dLoss = m.add('weighted-sum', 'D_loss', { weights: [1, 1] }, { term0: dReal, term1: dFake }, 'loss');
  const gLoss = m.add('sigmoid-cross-entropy', 'G_loss', { target: 'ones' }, { logits: logits.fake }, 'loss');
  const dSolver = m.add(solvers.d.kind, 'D_solver', { networks: ['D'], ...solvers.d.params }, { loss: dLoss });
  const gSolver = m.add(solvers.g.kind, 'G_solver', { networks: ['G'], ...solvers.g.params }, { loss: gLoss });
  return { dSolver, gSolver };
}
