import type { BatchedCallInstr, CallInstr, MainInstr, NetworkPlan, ValueId } from './plan';

/**
 * Joins calls of one network within a step into one pass over their batches
 * (a discriminator on real and on generated images, ALI's D on (x, Q(x)) and
 * (P(z), z)): half the kernels, each on twice the rows, which is what makes
 * the compiled program faster than the same model written call by call.
 *
 * Only where that computes the same numbers: every layer of the network is
 * rowwise (the batch's rows never meet: no batch statistics, no random
 * masks keyed by the call), every input and output has the batch axis, and
 * the calls neither take an input gradient nor reuse or lend earlier layers.
 * Each call's outputs are then the rows it would have computed alone; the
 * weight gradients sum the same terms, in another order (float32 rounding).
 *
 * The joined call runs once all its calls' arguments exist, and what reads
 * their outputs after it: the instructions keep their order otherwise.
 */
export function batchCalls(instrs: readonly MainInstr[]): MainInstr[] {
  // Which instructions each one depends on, through the values it reads.
  const producer = new Map<ValueId, number>();
  const ancestors: Set<number>[] = [];
  instrs.forEach((instr, i) => {
    const own = new Set<number>();
    for (const value of readsOf(instr)) {
      const p = producer.get(value);
      if (p === undefined) continue;
      own.add(p);
      ancestors[p]!.forEach((a) => own.add(a));
    }
    ancestors.push(own);
    outputsOf(instr).forEach((value) => producer.set(value, i));
  });

  // Each joinable call joins the first group of its network that it does not depend on.
  const groups: number[][] = [];
  const groupOf = new Map<number, number[]>();
  instrs.forEach((instr, i) => {
    if (instr.type !== 'call' || !canJoin(instr)) return;
    const group = groups.find((g) => (instrs[g[0]!] as CallInstr<boolean>).network.id === instr.network.id && g.every((m) => !ancestors[i]!.has(m)));
    if (group) group.push(i);
    else groups.push([i]);
    groupOf.set(i, group ?? groups.at(-1)!);
  });
  if (!groups.some((g) => g.length > 1)) return [...instrs];

  // Each group of two or more becomes one unit; units run in their first instruction's order, once what they read exists.
  const unitOf = (i: number) => (groupOf.get(i)?.length ?? 0) > 1 ? groupOf.get(i)![0]! : i;
  const units = [...new Set(instrs.map((_, i) => unitOf(i)))];
  const members = (unit: number) => (groupOf.get(unit)?.length ?? 0) > 1 ? groupOf.get(unit)! : [unit];
  const needs = new Map(units.map((unit) => [unit, new Set(members(unit).flatMap((m) => [...ancestors[m]!].map(unitOf)).filter((u) => u !== unit))]));
  const done = new Set<number>();
  const ordered: MainInstr[] = [];
  while (done.size < units.length) {
    const next = units.find((unit) => !done.has(unit) && [...needs.get(unit)!].every((u) => done.has(u)));
    // Two groups that each need the other's results first: leave the calls as they are.
    if (next === undefined) return [...instrs];
    done.add(next);
    const calls = members(next);
    ordered.push(calls.length > 1 ? joined(calls.map((m) => instrs[m] as CallInstr<boolean>)) : instrs[next]!);
  }
  return ordered;
}

function joined(calls: readonly CallInstr<boolean>[]): BatchedCallInstr {
  const [first] = calls;
  return {
    type: 'batched-call',
    node: first!.node,
    label: first!.label,
    network: first!.network,
    calls: calls.map(({ node, label, args, outputs }) => ({ node, label, args, outputs })),
    grads: first!.args.map((_, i) => calls.some((call) => call.grads[i])),
  };
}

function canJoin(call: CallInstr<boolean>): boolean {
  const batched = (shape: readonly (number | null)[]) => shape.length > 0 && shape[0] === null;
  return !call.reuse && call.inputGradient === undefined && rowwise(call.network) && call.network.inputs.every((i) => batched(i.shape)) && call.network.outputs.every((o) => batched(o.shape));
}

/** Whether rows never meet anywhere in the network (nor in the networks it calls). */
function rowwise(network: NetworkPlan): boolean {
  return network.body.every((instr) => (instr.type === 'call' ? rowwise(instr.network) : instr.kind.rowwise === true && !instr.kind.random && !instr.kind.modes && !instr.kind.update));
}

function outputsOf(instr: MainInstr): ValueId[] {
  switch (instr.type) {
    case 'source':
    case 'apply':
    case 'sample':
      return Object.values(instr.outputs);
    case 'call':
      return [...instr.outputs, ...(instr.inputGradient === undefined ? [] : [instr.inputGradient])];
    case 'batched-call':
      return instr.calls.flatMap((call) => call.outputs);
  }
}

function readsOf(instr: MainInstr): ValueId[] {
  switch (instr.type) {
    case 'source':
      return [];
    case 'apply':
    case 'sample':
      return Object.values(instr.inputs);
    case 'call':
      return [...instr.args];
    case 'batched-call':
      return instr.calls.flatMap((call) => call.args);
  }
}
