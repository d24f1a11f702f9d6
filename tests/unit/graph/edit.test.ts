import { describe, expect, it } from 'vitest';
import { analyse } from '../../../lib/graph/analyse';
import {
  addNode,
  connect,
  createNetworkFromSelection,
  deleteNetwork,
  moveNodes,
  moveScheduleStep,
  networkDependents,
  pasteNodes,
  removeElements,
  renameNetwork,
  scopeGraph,
  setPreview,
  setScheduleRepeat,
  setTraining,
  updateNode,
} from '../../../lib/graph/edit';
import { loadGraphDoc } from '../../../lib/graph/migrations';
import { CURRENT_SCHEMA_VERSION, type GraphDoc } from '../../../lib/graph/schema';
import { getTemplate } from '../../../lib/templates';

const empty = (): GraphDoc => {
  const loaded = loadGraphDoc({ schemaVersion: CURRENT_SCHEMA_VERSION, name: 'blank', nodes: [], edges: [] });
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.value;
};

describe('graph editing', () => {
  it('adds nodes with fresh ids and connects compatible ports', () => {
    let doc = empty();
    const x = addNode(doc, null, 'mnist', { x: 0, y: 0 });
    const s = addNode(x.doc, null, 'scale', { x: 200, y: 0 });
    expect([x.id, s.id]).toEqual(['mnist_1', 'scale_1']);
    const linked = connect(s.doc, null, { node: x.id, port: 'images' }, { node: s.id, port: 'x' });
    expect(linked.ok).toBe(true);
    doc = linked.ok ? linked.value : doc;
    expect(analyse(doc).main.nodes.get(s.id)!.outShapes.y).toEqual([null, 784]);
  });

  it('refuses a connection with the shape problem it would cause', () => {
    const gan = getTemplate('ali')!.doc;
    // Feed D's x input with z (64 wide) instead of an image (784 wide).
    const without = removeElements(gan, null, [], [gan.edges.find((e) => e.target.node === 'D_gen' && e.target.port === 'x')!.id]);
    const refused = connect(without, null, { node: 'z', port: 'z' }, { node: 'D_gen', port: 'x' });
    expect(refused).toEqual({ ok: false, error: 'Call network "D_gen": D expects [b, 784] on "x", got [b, 64]' });
    const taken = connect(gan, null, { node: 'z', port: 'z' }, { node: 'D_gen', port: 'x' });
    expect(!taken.ok && taken.error).toMatch(/already connected/);
  });

  it('moves, relabels and removes nodes together with their edges and schedule entries', () => {
    const gan = getTemplate('gan')!.doc;
    const moved = moveNodes(gan, null, { X: { x: 5, y: 6 } });
    expect(moved.nodes.find((n) => n.id === 'X')!.position).toEqual({ x: 5, y: 6 });
    const renamed = updateNode(moved, null, 'X', { label: '  Real digits ' });
    expect(renamed.nodes.find((n) => n.id === 'X')!.label).toBe('Real digits');
    const removed = removeElements(renamed, null, ['D_solver']);
    expect(removed.nodes.some((n) => n.id === 'D_solver')).toBe(false);
    expect(removed.edges.some((e) => e.target.node === 'D_solver')).toBe(false);
    expect(removed.training.schedule.map((s) => s.optimizer)).toEqual(['G_solver']);
  });

  it('pastes copies with fresh ids and their inner edges', () => {
    const ali = getTemplate('ali')!.doc;
    const q = ali.networks.find((n) => n.id === 'Q')!;
    const pasted = pasteNodes(ali, 'Q', q.nodes, q.edges);
    const graph = scopeGraph(pasted.doc, 'Q');
    expect(graph.nodes).toHaveLength(q.nodes.length * 2);
    expect(graph.edges).toHaveLength(q.edges.length * 2);
    expect(new Set(graph.nodes.map((n) => n.id)).size).toBe(graph.nodes.length);
  });

  it('turns a selection into a network whose call keeps the shapes and connections', () => {
    // Un-network the GAN's generator: put G's layers in the main graph, then network them again.
    let doc = empty();
    const z = addNode(doc, null, 'noise', { x: 0, y: 0 }, { shape: [100] });
    const h = addNode(z.doc, null, 'dense', { x: 200, y: 0 }, { units: 128, activation: 'relu' });
    const o = addNode(h.doc, null, 'dense', { x: 400, y: 0 }, { units: 784, activation: 'sigmoid' });
    const loss = addNode(o.doc, null, 'mse', { x: 600, y: 0 });
    doc = loss.doc;
    for (const [source, target] of [
      [{ node: z.id, port: 'z' }, { node: h.id, port: 'x' }],
      [{ node: h.id, port: 'y' }, { node: o.id, port: 'x' }],
      [{ node: o.id, port: 'y' }, { node: loss.id, port: 'prediction' }],
      [{ node: o.id, port: 'y' }, { node: loss.id, port: 'target' }],
    ] as const) {
      const next = connect(doc, null, source, target);
      if (!next.ok) throw new Error(next.error);
      doc = next.value;
    }
    expect(analyse(doc).problems.map((p) => p.code)).toContain('weights-outside-network');
    const made = createNetworkFromSelection(doc, null, [h.id, o.id], 'G');
    if (!made.ok) throw new Error(made.error);
    const analysis = analyse(made.value.doc);
    expect(analysis.problems.map((p) => p.code)).not.toContain('weights-outside-network');
    expect(analysis.errors).toEqual([]);
    expect(analysis.networks.get('G')!.signature.inputs.map((i) => i.shape)).toEqual([[null, 100]]);
    // Its ends are named as people see them: the input after what feeds it (noise's port z), the lone output after the network.
    expect(analysis.networks.get('G')!.signature.inputs.map((i) => i.label)).toEqual(['z']);
    expect(analysis.networks.get('G')!.signature.outputs.map((o) => o.label)).toEqual(['G']);
    expect(analysis.main.nodes.get(made.value.call)!.outShapes).toEqual({ [analysis.networks.get('G')!.signature.outputs[0]!.port]: [null, 784] });
    // Both loss inputs now come from the one call.
    expect(made.value.doc.edges.filter((e) => e.target.node === loss.id).every((e) => e.source.node === made.value.call)).toBe(true);
    expect(createNetworkFromSelection(made.value.doc, null, [loss.id], 'L')).toMatchObject({ ok: false });
    expect(createNetworkFromSelection(made.value.doc, null, [z.id], 'G')).toEqual({ ok: false, error: 'There is already a network called G.' });
  });

  it('names a grouped network\'s inputs by their role inside it, and leaves its call to be named by the graph', () => {
    // ALI's D(x, Q(x)) with Q drawn as one layer: grouping D must not call its second input "Q(…)".
    let doc = empty();
    const x = addNode(doc, null, 'mnist', { x: 0, y: 0 });
    const z = addNode(x.doc, null, 'noise', { x: 0, y: 200 }, { shape: [64] });
    const q = addNode(z.doc, null, 'dense', { x: 200, y: 0 }, { units: 64 });
    const c = addNode(q.doc, null, 'concat', { x: 400, y: 0 }, { inputs: 2 });
    const p = addNode(c.doc, null, 'dense', { x: 600, y: 0 }, { units: 1, activation: 'sigmoid' });
    const loss = addNode(p.doc, null, 'log-loss', { x: 800, y: 0 });
    doc = loss.doc;
    for (const [source, target] of [
      [{ node: x.id, port: 'images' }, { node: q.id, port: 'x' }],
      [{ node: x.id, port: 'images' }, { node: c.id, port: 'in0' }],
      [{ node: q.id, port: 'y' }, { node: c.id, port: 'in1' }],
      [{ node: c.id, port: 'y' }, { node: p.id, port: 'x' }],
      [{ node: p.id, port: 'y' }, { node: loss.id, port: 'p' }],
    ] as const) {
      const next = connect(doc, null, source, target);
      if (!next.ok) throw new Error(next.error);
      doc = next.value;
    }
    const made = createNetworkFromSelection(doc, null, [c.id, p.id], 'D');
    if (!made.ok) throw new Error(made.error);
    const analysis = analyse(made.value.doc);
    // The data's port names the first; the second has the noise's shape, so it is a code: "z".
    expect(analysis.networks.get('D')!.signature.inputs.map((i) => i.label)).toEqual(['images', 'z']);
    const callNode = made.value.doc.nodes.find((n) => n.id === made.value.call)!;
    expect(callNode.label).toBeUndefined();
    expect(analysis.main.nodes.get(made.value.call)!.name).toBe(`D(${x.id}, ${q.id})`);
  });

  it('drops a call of the first network, ready to use, and an optimizer at the end of the schedule', () => {
    const ali = getTemplate('ali')!.doc;
    const call = addNode(ali, null, 'call', { x: 0, y: 0 });
    expect(call.doc.nodes.find((n) => n.id === call.id)!.params).toEqual({ network: 'Q' });
    const problems = analyse(call.doc).problems.filter((p) => p.node === call.id);
    expect(problems.map((p) => p.code)).toEqual(['missing-connection']); // valid, only waiting for its input
    expect(problems[0]!.message).toContain('"x"');
    const inside = addNode(ali, 'D', 'call', { x: 0, y: 0 });
    expect(scopeGraph(inside.doc, 'D').nodes.find((n) => n.id === inside.id)!.params).toEqual({ network: 'Q' });

    const sgd = addNode(ali, null, 'sgd', { x: 0, y: 0 });
    expect(sgd.doc.training.schedule.map((s) => s.optimizer)).toEqual(['D_solver', 'G_solver', sgd.id]);
    const copied = pasteNodes(ali, null, ali.nodes.filter((n) => n.id === 'D_solver'), []);
    expect(copied.doc.training.schedule.map((s) => s.optimizer)).toEqual(['D_solver', 'G_solver', copied.ids[0]]);
    const nested = addNode(ali, 'D', 'dense', { x: 0, y: 0 });
    expect(nested.doc.training.schedule).toEqual(ali.training.schedule);
  });

  it('reorders the schedule, sets repeats and settings, and checks each value', () => {
    const ali = getTemplate('ali')!.doc;
    const swapped = moveScheduleStep(ali, 1, 0);
    expect(swapped.training.schedule.map((s) => s.optimizer)).toEqual(['G_solver', 'D_solver']);
    expect(moveScheduleStep(ali, 0, 5)).toBe(ali);
    const repeated = setScheduleRepeat(swapped, 1, 3);
    expect(repeated.ok && repeated.value.training.schedule[1]).toEqual({ optimizer: 'D_solver', repeat: 3 });
    expect(setScheduleRepeat(swapped, 1, 0)).toMatchObject({ ok: false, error: expect.stringMatching(/^repeat: /) });
    expect(setScheduleRepeat(swapped, 7, 2)).toEqual({ ok: false, error: 'the schedule has no step 8' });
    const settings = setTraining(ali, { batchSize: 16, backend: 'wasm' });
    expect(settings.ok && settings.value.training).toMatchObject({ batchSize: 16, backend: 'wasm', iterations: ali.training.iterations });
    expect(setTraining(ali, { iterations: 0 })).toMatchObject({ ok: false, error: expect.stringMatching(/^iterations: /) });
    expect(setTraining(ali, { seed: 1.5 })).toMatchObject({ ok: false, error: expect.stringMatching(/^seed: /) });
    // In words, as the inspector says it (the form shows what follows the field's name).
    expect(setTraining(ali, { batchSize: 0 })).toEqual({ ok: false, error: 'batchSize: batch size must be a whole number from 1 to 65,536' });
  });

  it('sets, clears and turns off previews', () => {
    const gan = getTemplate('gan')!.doc;
    const off = setPreview(gan, 'samples', 'none');
    expect(off.training.previews.samples).toBe('none');
    expect(analyse(off).previews.samples).toBeUndefined();
    const auto = setPreview(gan, 'samples', undefined);
    expect('samples' in auto.training.previews).toBe(false);
    expect(analyse(auto).previews.samples).toMatchObject({ ref: { node: 'G_sample' }, proposed: true });
  });

  it('renames and deletes networks, saying what a deletion takes with it', () => {
    const ali = getTemplate('ali')!.doc;
    expect(renameNetwork(ali, 'D', 'Critic')).toMatchObject({ ok: true, value: { networks: expect.arrayContaining([expect.objectContaining({ id: 'D', name: 'Critic' })]) } });
    expect(renameNetwork(ali, 'D', 'Q')).toEqual({ ok: false, error: 'There is already a network called Q.' });
    const dependents = networkDependents(ali, 'P');
    expect(dependents.calls.map((c) => c.node.id).sort()).toEqual(['P_Q_x', 'X_hat']);
    expect(dependents.optimizers.map((n) => n.id)).toEqual(['G_solver']);
    const without = deleteNetwork(ali, 'P');
    expect(without.networks.map((n) => n.id)).toEqual(['Q', 'D']);
    expect(without.nodes.some((n) => n.id === 'X_hat' || n.id === 'P_Q_x')).toBe(false);
    expect(without.edges.some((e) => e.source.node === 'X_hat' || e.target.node === 'X_hat')).toBe(false);
    expect(without.nodes.find((n) => n.id === 'G_solver')!.params.networks).toEqual(['Q']);
    // D_gen lost its input: the analysis says so on D_gen, nothing crashes.
    expect(analyse(without).problems.find((p) => p.node === 'D_gen')?.code).toBe('missing-connection');
  });
});
