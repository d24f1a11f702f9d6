import type { NodeInfo } from '../../lib/graph/analyse';
import type { PortRef } from '../../lib/graph/schema';
import type { Namer } from '../names';
import { stringLiteral } from '../text';
import type { NetworkPlan, Plan, SourcePlan } from '../plan';

/**
 * Writes main-graph nodes as statements: the iteration's shared values, each
 * optimizer step's loss and the preview grids all go through here. Each node
 * becomes one `const` named after it; what a context already has (values
 * computed in an earlier section) is read, not recomputed.
 */
export interface ValueContext {
  plan: Plan;
  namer: Namer;
  /** Expressions of the ports already available, by `node:port`. */
  values: Map<string, string>;
  /** Layer outputs of calls computed earlier, by node id (for `known`). */
  layers: Map<string, string>;
  /** The Step expression network calls receive. */
  step: string;
  /** Whether a main-graph port carries a gradient in this context. */
  grad(ref: PortRef): boolean;
  /** The statement that draws a source's values (an expression of Record<port, Float32Array>) and the batch size expression. */
  draw(source: SourcePlan): { values: string; batch: string };
}

export const refKey = (ref: PortRef) => `${ref.node}:${ref.port}`;

/** Statements computing `ids` (in order) in the context; their port expressions are added to `ctx.values`. */
export function writeNodes(ctx: ValueContext, ids: readonly string[], known: ReadonlySet<string> = new Set()): string[] {
  const statements: string[] = [];
  for (const id of ids) {
    const info = ctx.plan.analysis.main.nodes.get(id)!;
    const kind = info.kind!;
    const name = ctx.namer.name(ctx.plan.mainNames.get(id)!);
    if (kind.role === 'source') statements.push(...writeSource(ctx, ctx.plan.sourceById.get(id)!, name));
    else if (kind.role === 'call') statements.push(writeCall(ctx, info, ctx.plan.networkById.get(kind.network(info.params))!, name, known.has(id)));
    else if (kind.role === 'op') {
      const ports = Object.keys(info.outShapes);
      const code = kind.emit({ params: info.params, inputs: inputExpressions(ctx, info), inputShapes: info.inShapes, weights: {} });
      for (const port of ports) {
        const variable = ports.length === 1 ? name : ctx.namer.name(`${name}_${port}`);
        statements.push(`const ${variable} = ${code[port]};`);
        ctx.values.set(refKey({ node: id, port }), variable);
      }
    }
  }
  return statements;
}

function inputExpressions(ctx: ValueContext, info: NodeInfo): Record<string, string> {
  const incoming = ctx.plan.analysis.main.incoming.get(info.node.id) ?? new Map<string, PortRef>();
  return Object.fromEntries([...incoming].map(([port, ref]) => [port, ctx.values.get(refKey(ref))!]));
}

/** Ports of a source some node or preview reads. */
export function usedPorts(plan: Plan, source: SourcePlan): string[] {
  const read = new Set<string>();
  for (const ports of plan.analysis.main.incoming.values()) for (const ref of ports.values()) if (ref.node === source.info.node.id) read.add(ref.port);
  const { samples, reconstructions } = plan.doc.training.previews;
  for (const ref of [samples, reconstructions, reconstructions?.input]) if (ref?.node === source.info.node.id) read.add(ref.port);
  return Object.keys(source.info.outShapes).filter((port) => read.has(port));
}

function writeSource(ctx: ValueContext, source: SourcePlan, name: string): string[] {
  const ports = usedPorts(ctx.plan, source);
  const { values, batch } = ctx.draw(source);
  const shape = (port: string) => source.info.outShapes[port]!.map((d) => (d === null ? batch : String(d))).join(', ');
  const tensor = (from: string, port: string) => `tf.tensor(${member(from, port)}!, [${shape(port)}])`;
  if (ports.length === 1) {
    ctx.values.set(refKey({ node: source.info.node.id, port: ports[0]! }), name);
    return [`const ${name} = ${tensor(values, ports[0]!)};`];
  }
  const drawn = ctx.namer.name(`${name}_batch`);
  const statements = [`const ${drawn} = ${values};`];
  for (const port of ports) {
    const variable = ctx.namer.name(`${name}_${port}`);
    statements.push(`const ${variable} = ${tensor(drawn, port)};`);
    ctx.values.set(refKey({ node: source.info.node.id, port }), variable);
  }
  return statements;
}

function writeCall(ctx: ValueContext, info: NodeInfo, network: NetworkPlan, name: string, useKnown: boolean): string {
  const incoming = ctx.plan.analysis.main.incoming.get(info.node.id)!;
  const inputs = network.inputs.map((input) => field(input.key, ctx.values.get(refKey(incoming.get(input.port)!))!));
  const grads = network.inputs.map((input) => `${input.key}: ${ctx.grad(incoming.get(input.port)!)}`);
  const args = [ctx.step, braces(inputs), braces(grads), ...(useKnown ? [ctx.layers.get(info.node.id)!] : [])];
  for (const output of network.outputs) ctx.values.set(refKey({ node: info.node.id, port: output.port }), `${name}.outputs.${output.key}`);
  ctx.layers.set(info.node.id, `${name}.layers`);
  return `const ${name} = ${network.fn}(${args.join(', ')});`;
}

export const braces = (fields: string[]) => (fields.length ? `{ ${fields.join(', ')} }` : '{}');

/** `key: value`, or the shorthand `key` when the value is the variable of that name. */
export const field = (key: string, value: string) => (key === value ? key : `${key}: ${value}`);

/** `object.key`, or `object["key"]` when the key (a port id a kind defines) is not an identifier. */
export const member = (object: string, key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${object}.${key}` : `${object}[${stringLiteral(key)}]`);
