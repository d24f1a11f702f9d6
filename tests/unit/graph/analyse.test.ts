import { describe, expect, it } from 'vitest';
import { analyse, MAX_NESTING } from '../../../lib/graph/analyse';
import { loadGraphDoc } from '../../../lib/graph/migrations';
import { formatProblem, type ProblemCode } from '../../../lib/graph/problems';
import { CURRENT_SCHEMA_VERSION, type GraphDoc, type GraphDocInput } from '../../../lib/graph/schema';
import { formatShape } from '../../../lib/kinds/shape';
import { templates } from '../../../lib/templates';

/** A small valid graph: D(x) on MNIST with one loss and one optimizer, to break in every way. */
function base(): GraphDocInput {
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    name: 'small',
    networks: [
      {
        id: 'D',
        name: 'D',
        nodes: [
          { id: 'x', kind: 'network-input', params: { shape: [784] } },
          { id: 'h', kind: 'dense', params: { units: 8, activation: 'relu' } },
          { id: 'logit', kind: 'dense', params: { units: 1 } },
          { id: 'out', kind: 'network-output', params: {} },
        ],
        edges: [
          { id: 'e1', source: { node: 'x', port: 'out' }, target: { node: 'h', port: 'x' } },
          { id: 'e2', source: { node: 'h', port: 'y' }, target: { node: 'logit', port: 'x' } },
          { id: 'e3', source: { node: 'logit', port: 'y' }, target: { node: 'out', port: 'in' } },
        ],
      },
    ],
    nodes: [
      { id: 'X', kind: 'mnist', params: {} },
      { id: 'real', kind: 'call', params: { network: 'D' } },
      { id: 'loss', kind: 'sigmoid-cross-entropy', params: { target: 'ones' } },
      { id: 'opt', kind: 'adam', params: { networks: ['D'] } },
    ],
    edges: [
      { id: 'm1', source: { node: 'X', port: 'images' }, target: { node: 'real', port: 'x' } },
      { id: 'm2', source: { node: 'real', port: 'out' }, target: { node: 'loss', port: 'logits' } },
      { id: 'm3', source: { node: 'loss', port: 'loss' }, target: { node: 'opt', port: 'loss' } },
    ],
    training: { schedule: [{ optimizer: 'opt', repeat: 1 }] },
  };
}

function load(mutate: (doc: GraphDocInput) => void): GraphDoc {
  const doc = base();
  mutate(doc);
  const loaded = loadGraphDoc(doc);
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.value;
}

const problem = (doc: GraphDoc, code: ProblemCode) => analyse(doc).problems.find((p) => p.code === code);

describe('analyse', () => {
  it('keeps a node with an invalid param whole: its ports, its neighbours\' shapes, and one problem on the field', () => {
    const analysis = analyse(load((d) => void (d.networks![0]!.nodes.find((n) => n.id === 'h')!.params = { units: -3, activation: 'relu' })));
    expect(analysis.problems.map((p) => [p.code, p.node, p.field])).toEqual([['invalid-params', 'h', 'units']]);
    const h = analysis.networks.get('D')!.nodes.get('h')!;
    expect([h.invalid, h.inputs.map((p) => p.id), h.outShapes.y]).toEqual([true, ['x'], [null, 128]]);
    expect(analysis.main.nodes.get('real')!.outShapes.out).toEqual([null, 1]);
    expect(analysis.ok).toBe(false);
  });

  it('names a call\'s port as the network names it', () => {
    const analysis = analyse(
      load((d) => {
        d.networks![0]!.nodes.find((n) => n.id === 'x')!.label = 'image';
        d.edges = d.edges!.filter((e) => e.id !== 'm1');
      }),
    );
    const missing = analysis.problems.find((p) => p.code === 'missing-connection')!;
    expect(missing).toMatchObject({ node: 'real', port: 'x', portLabel: 'image' });
    expect(formatProblem(missing)).toMatch(/node real, port image: /);
  });

  it('accepts the small graph and infers every port shape', () => {
    const analysis = analyse(load(() => {}));
    expect(analysis.problems).toEqual([]);
    expect(analysis.ok).toBe(true);
    expect(analysis.main.nodes.get('real')!.outShapes.out).toEqual([null, 1]);
    expect(analysis.networks.get('D')!.nodes.get('h')!.outShapes.y).toEqual([null, 8]);
    expect(analysis.schedule).toEqual([{ optimizer: 'opt', repeat: 1 }]);
  });

  it.each(templates.map((t) => [t.id, t.doc] as const))('finds no problem in the %s template', (_id, doc) => {
    expect(analyse(doc).problems).toEqual([]);
  });

  it.each(['__proto__', 'constructor', 'toString'])('reads a port named %s as any other, never as a member of Object.prototype', (port) => {
    // Fuzz: an edge from a node of unknown kind (whose ports go unchecked) named port `__proto__`, and the analysis took Object.prototype for a shape and threw.
    const doc = load((d) => {
      d.nodes.push({ id: 'u', kind: 'no-such-kind', params: {} }, { id: 's', kind: 'scale', params: {} });
      d.edges.push({ id: 'u1', source: { node: 'u', port }, target: { node: 's', port: 'x' } });
      d.training = { ...d.training, previews: { samples: { node: 'u', port } } };
    });
    expect(analyse(doc).errors.map((p) => p.code)).toEqual(['unknown-kind']);
    // A network output with that id is a port of every call, with its shape.
    const called = analyse(
      load((d) => {
        d.networks![0]!.nodes[3]!.id = port;
        d.networks![0]!.edges[2]!.target.node = port;
        d.edges[1]!.source.port = port;
      }),
    );
    expect(called.errors).toEqual([]);
    expect(Object.entries(called.main.nodes.get('real')!.outShapes)).toEqual([[port, [null, 1]]]);
  });

  it('is memoised per document object', () => {
    const doc = load(() => {});
    expect(analyse(doc)).toBe(analyse(doc));
  });

  const cases: { name: string; code: ProblemCode; mutate: (d: GraphDocInput) => void; where: Record<string, unknown>; message: RegExp; fix?: string }[] = [
    {
      name: 'a window larger than its input (the shape would have no pixels)',
      code: 'shape-mismatch',
      mutate: (d) => {
        d.nodes.push({ id: 'img', kind: 'mnist', params: { layout: 'image' } }, { id: 'pool', kind: 'max-pool2d', params: { poolSize: 40, strides: 1, padding: 'VALID' } });
        d.edges!.push({ id: 'p1', source: { node: 'img', port: 'images' }, target: { node: 'pool', port: 'x' } });
      },
      where: { node: 'pool', port: 'x' },
      message: /output "y" would be \[b, -11, -11, 1\]: every dimension must be at least 1/,
    },
    {
      name: 'a graph too large for memory, with the estimate',
      code: 'memory-budget',
      mutate: (d) => {
        d.networks![0]!.nodes[1]!.params = { units: 65_536 };
        d.training!.batchSize = 8_192;
      },
      where: { field: 'training.batchSize' },
      message: /training this graph takes about \d+(\.\d)? GB .*the limit is 2\.0 GB/,
    },
    {
      name: 'log-loss fed something that is not a probability',
      code: 'out-of-range',
      mutate: (d) => {
        d.nodes.push({ id: 'll', kind: 'log-loss', params: {} });
        d.edges!.push({ id: 'l1', source: { node: 'real', port: 'out' }, target: { node: 'll', port: 'p' } });
      },
      where: { node: 'll', port: 'p' },
      message: /^Log-loss "ll": "p" takes probabilities between 0 and 1, but nothing keeps the values of logit \(in D\) between 0 and 1$/,
      fix: "Set logit's activation to sigmoid (in D), or use sigmoid cross-entropy on the logits instead of log-loss.",
    },
    {
      name: 'binary cross-entropy against targets that are not in [0, 1]',
      code: 'out-of-range',
      mutate: (d) => {
        d.nodes.push({ id: 'signed', kind: 'noise', params: { shape: [1], low: -1, high: 1 } }, { id: 'bce', kind: 'binary-cross-entropy', params: {} });
        d.edges!.push(
          { id: 'b1', source: { node: 'real', port: 'out' }, target: { node: 'bce', port: 'logits' } },
          { id: 'b2', source: { node: 'signed', port: 'z' }, target: { node: 'bce', port: 'target' } },
        );
      },
      where: { node: 'bce', port: 'target' },
      message: /"target" takes targets between 0 and 1, but the values of signed are between -1 and 1$/,
    },
    {
      name: 'two losses with one name',
      code: 'duplicate-name',
      mutate: (d) => {
        d.nodes.find((n) => n.id === 'loss')!.label = 'loss';
        d.nodes.push({ id: 'loss2', kind: 'sigmoid-cross-entropy', label: 'loss', params: {} }, { id: 'opt2', kind: 'sgd', params: { networks: ['D'] } });
        d.edges!.push(
          { id: 'd1', source: { node: 'real', port: 'out' }, target: { node: 'loss2', port: 'logits' } },
          { id: 'd2', source: { node: 'loss2', port: 'loss' }, target: { node: 'opt2', port: 'loss' } },
        );
        d.training!.schedule!.push({ optimizer: 'opt2', repeat: 1 });
      },
      where: { node: 'loss2' },
      message: /the loss "loss" has the name of another loss or monitor/,
    },
    {
      name: 'a data source that feeds nothing (a warning: it is not drawn)',
      code: 'unused-source',
      mutate: (d) => void d.nodes.push({ id: 'idle', kind: 'noise', params: {} }),
      where: { node: 'idle' },
      message: /Noise "idle" feeds nothing, so it is not drawn/,
    },
    {
      name: 'a cycle, naming its nodes',
      code: 'cycle',
      mutate: (d) => {
        const net = d.networks![0]!;
        net.nodes.push({ id: 'c', kind: 'concat', params: {} });
        net.edges = [
          { id: 'a', source: { node: 'x', port: 'out' }, target: { node: 'c', port: 'in0' } },
          { id: 'b', source: { node: 'h', port: 'y' }, target: { node: 'c', port: 'in1' } },
          { id: 'c1', source: { node: 'c', port: 'y' }, target: { node: 'h', port: 'x' } },
          { id: 'e2', source: { node: 'h', port: 'y' }, target: { node: 'logit', port: 'x' } },
          { id: 'e3', source: { node: 'logit', port: 'y' }, target: { node: 'out', port: 'in' } },
        ];
      },
      where: { network: 'D' },
      message: /cycle: Dense "h" -> Concat "c" -> Dense "h"|cycle: Concat "c" -> Dense "h" -> Concat "c"/,
    },
    {
      name: 'an unknown kind',
      code: 'unknown-kind',
      mutate: (d) => void d.nodes.push({ id: 'mystery', kind: 'flux-capacitor', params: {} }),
      where: { node: 'mystery' },
      message: /unknown node kind "flux-capacitor"/,
    },
    {
      name: 'invalid params, naming the field',
      code: 'invalid-params',
      mutate: (d) => void (d.networks![0]!.nodes[1]!.params = { units: -3 }),
      where: { network: 'D', node: 'h', field: 'units' },
      message: /Dense "h": units must be a whole number from 1 to 65,536$/,
    },
    {
      name: 'a missing connection, naming the port',
      code: 'missing-connection',
      mutate: (d) => void (d.edges = d.edges.filter((e) => e.id !== 'm2')),
      where: { node: 'loss', port: 'logits' },
      message: /input "logits" is not connected/,
    },
    {
      name: 'an extra connection into a taken input',
      code: 'extra-connection',
      mutate: (d) => void d.edges.push({ id: 'dup', source: { node: 'X', port: 'images' }, target: { node: 'real', port: 'x' } }),
      where: { node: 'real', port: 'x', edge: 'dup' },
      message: /already has a connection/,
    },
    {
      name: 'an edge to a port that does not exist',
      code: 'unknown-port',
      mutate: (d) => void d.edges.push({ id: 'bad', source: { node: 'X', port: 'pixels' }, target: { node: 'loss', port: 'logits' } }),
      where: { node: 'X', port: 'pixels', edge: 'bad' },
      message: /has no output "pixels"/,
    },
    {
      name: 'an edge to a node that does not exist',
      code: 'unknown-node',
      mutate: (d) => void d.edges.push({ id: 'ghost', source: { node: 'nobody', port: 'y' }, target: { node: 'loss', port: 'logits' } }),
      where: { edge: 'ghost' },
      message: /"nobody", which does not exist/,
    },
    {
      name: 'a shape mismatch at a network call',
      code: 'shape-mismatch',
      mutate: (d) => void (d.networks![0]!.nodes[0]!.params = { shape: [848] }),
      where: { node: 'real', port: 'x' },
      message: new RegExp(`D expects ${escape(formatShape([null, 848]))} on "x", got ${escape(formatShape([null, 784]))}`),
    },
    {
      name: 'a rank mismatch (images into a dense layer)',
      code: 'shape-mismatch',
      mutate: (d) => {
        d.nodes[0]!.params = { layout: 'image' };
        d.networks![0]!.nodes[0]!.params = { shape: [28, 28, 1] };
      },
      where: { network: 'D', node: 'h', port: 'x' },
      message: /rank 2, got \[b, 28, 28, 1\]/,
    },
    {
      name: 'a loss no optimizer uses',
      code: 'unused-loss',
      mutate: (d) => {
        d.nodes.push({ id: 'spare', kind: 'sigmoid-cross-entropy', params: { target: 'zeros' } });
        d.edges.push({ id: 'm4', source: { node: 'real', port: 'out' }, target: { node: 'spare', port: 'logits' } });
      },
      where: { node: 'spare' },
      message: /not used by any optimizer/,
    },
    {
      name: 'an optimizer whose network does not reach its loss',
      code: 'optimizer-unreachable',
      mutate: (d) => {
        d.networks!.push({ ...structuredClone(d.networks![0]!), id: 'G', name: 'G' });
        d.nodes[3]!.params = { networks: ['D', 'G'] };
      },
      where: { node: 'opt', field: 'networks' },
      message: /updates G, but its loss does not depend on G/,
    },
    {
      // Fuzz: variableGrads() found no variable to differentiate and training threw.
      name: 'an optimizer over a network with no weights of its own (those of the networks it calls are theirs)',
      code: 'optimizer-unreachable',
      mutate: (d) => {
        d.networks!.push({
          id: 'W',
          name: 'W',
          nodes: [
            { id: 'x', kind: 'network-input', params: { shape: [784] } },
            { id: 'd', kind: 'call', params: { network: 'D' } },
            { id: 'out', kind: 'network-output', params: {} },
          ],
          edges: [
            { id: 'w1', source: { node: 'x', port: 'out' }, target: { node: 'd', port: 'x' } },
            { id: 'w2', source: { node: 'd', port: 'out' }, target: { node: 'out', port: 'in' } },
          ],
        });
        d.nodes[1]!.params = { network: 'W' };
        d.nodes[3]!.params = { networks: ['W'] };
      },
      where: { node: 'opt', field: 'networks' },
      message: /updates W, which has no weights of its own/,
    },
    {
      // Fuzz: the network was called, but its output bypassed its layers: tfjs found no gradient and training threw.
      name: 'an optimizer whose loss depends on none of its network\'s weights',
      code: 'optimizer-unreachable',
      mutate: (d) => {
        d.networks![0]!.nodes[0]!.params = { shape: [1] };
        d.networks![0]!.edges[2]!.source = { node: 'x', port: 'out' };
        d.nodes[0] = { id: 'X', kind: 'noise', params: { shape: [1] } };
      },
      where: { node: 'opt', field: 'networks' },
      message: /updates D, but its loss depends on none of D's weights/,
    },
    {
      name: 'an optimizer that updates nothing',
      code: 'optimizer-without-networks',
      mutate: (d) => void (d.nodes[3]!.params = { networks: [] }),
      where: { node: 'opt', field: 'networks' },
      message: /updates no network/,
    },
    {
      name: 'a call of a network that does not exist',
      code: 'unknown-network',
      mutate: (d) => void (d.nodes[1]!.params = { network: 'Q' }),
      where: { node: 'real', field: 'network' },
      message: /calls network "Q", which does not exist/,
    },
    {
      name: 'networks that call each other',
      code: 'network-recursion',
      mutate: (d) => {
        const net = d.networks![0]!;
        net.nodes.push({ id: 'again', kind: 'call', params: { network: 'D' } });
      },
      where: { network: 'D' },
      message: /loop: D -> D/,
    },
    {
      name: 'weights outside any network',
      code: 'weights-outside-network',
      mutate: (d) => {
        d.nodes.push({ id: 'stray', kind: 'dense', params: {} });
        d.edges.push({ id: 'm5', source: { node: 'X', port: 'images' }, target: { node: 'stray', port: 'x' } });
      },
      where: { node: 'stray' },
      message: /not inside a network/,
    },
    {
      name: 'a node in the wrong place',
      code: 'misplaced-node',
      mutate: (d) => void d.nodes.push({ id: 'lost', kind: 'network-output', params: {} }),
      where: { node: 'lost' },
      message: /belong inside a network/,
    },
    {
      name: 'a schedule step that is not an optimizer',
      code: 'invalid-schedule',
      mutate: (d) => void (d.training = { schedule: [{ optimizer: 'loss', repeat: 1 }] }),
      where: { node: 'loss', field: 'training.schedule[0].optimizer' },
      message: /not an optimizer/,
    },
    {
      name: 'a preview of a missing node',
      code: 'invalid-preview',
      mutate: (d) => void (d.training = { previews: { samples: { node: 'nowhere', port: 'y' } } }),
      where: { field: 'training.previews.samples' },
      message: /"nowhere", which is not in the main graph/,
    },
    {
      name: 'a preview of a port that holds no images',
      code: 'invalid-preview',
      mutate: (d) => void (d.training = { previews: { samples: { node: 'loss', port: 'loss' } } }),
      where: { node: 'loss', port: 'loss', field: 'training.previews.samples' },
      message: /shaped \[\]: a grid needs a batch of images \(the data's 28x28x1, or square single-channel/,
    },
    {
      name: 'two nodes with one id',
      code: 'duplicate-id',
      mutate: (d) => void d.nodes.push({ id: 'X', kind: 'noise', params: {} }),
      where: { node: 'X' },
      message: /two nodes have the id "X"/,
    },
  ];

  it.each(cases)('reports $name', ({ code, mutate, where, message, fix }) => {
    const doc = load(mutate);
    const found = problem(doc, code);
    expect(found, `expected a ${code} problem, got ${JSON.stringify(analyse(doc).problems)}`).toBeDefined();
    expect(found).toMatchObject(where);
    expect(found!.message).toMatch(message);
    expect(found!.fix.length).toBeGreaterThan(0);
    if (fix) expect(found!.fix).toBe(fix);
  });

  it('reports a shape error once, at its source, without cascading downstream', () => {
    const doc = load((d) => void (d.networks![0]!.nodes[0]!.params = { shape: [848] }));
    const errors = analyse(doc).errors;
    expect(errors).toHaveLength(1);
    expect(analyse(doc).ok).toBe(false);
  });

  it('walks deep graphs without recursion: a chain of 20,000 networks is refused past the nesting limit, not with a crash', () => {
    const doc = structuredClone(load(() => {}));
    const links = Array.from({ length: 20_000 }, (_, i) => ({
      id: `N${i}`,
      name: `N${i}`,
      nodes: [
        { id: 'x', kind: 'network-input', params: { shape: [1] }, position: { x: 0, y: 0 } },
        ...(i === 0 ? [] : [{ id: 'c', kind: 'call', params: { network: `N${i - 1}` }, position: { x: 0, y: 0 } }]),
        { id: 'o', kind: 'network-output', params: {}, position: { x: 0, y: 0 } },
      ],
      edges:
        i === 0
          ? [{ id: 'e', source: { node: 'x', port: 'out' }, target: { node: 'o', port: 'in' } }]
          : [
              { id: 'e1', source: { node: 'x', port: 'out' }, target: { node: 'c', port: 'x' } },
              { id: 'e2', source: { node: 'c', port: 'o' }, target: { node: 'o', port: 'in' } },
            ],
    }));
    doc.networks.push(...links);
    const analysis = analyse(doc);
    const nesting = analysis.problems.filter((p) => p.code === 'network-nesting');
    expect(nesting[0]).toMatchObject({ network: `N${MAX_NESTING}`, message: expect.stringMatching(/calls networks 32 deep or more/) });
  });
});

function escape(text: string): string {
  return text.replace(/[[\]]/g, '\\$&');
}

describe('what unlabelled nodes are called', () => {
  const unlabelled = () => {
    const doc = structuredClone(templates.find((t) => t.id === 'ali')!.doc) as GraphDocInput;
    for (const node of doc.nodes!) if (node.kind === 'call' || node.kind === 'weighted-sum' || node.kind === 'log-loss') delete node.label;
    const loaded = loadGraphDoc(doc);
    if (!loaded.ok) throw new Error(loaded.error);
    return analyse(loaded.value);
  };

  it('a call by its network and what it is given, a loss by the networks it trains: in titles, legends and problems alike', () => {
    const analysis = unlabelled();
    const names = [...analysis.main.nodes.values()].filter((i) => i.kind?.role === 'call' || i.kind?.role === 'op').map((i) => i.name);
    expect(names).toEqual(['Q(X)', 'P(z)', 'D(X, Q(X))', 'D(P(z), z)', undefined, undefined, 'D loss', undefined, undefined, 'Q+P loss', 'P(Q(X))']);
    expect(analysis.errors).toEqual([]);
  });

  it('two calls given the same values are numbered, and a derived name never takes a label another node has', () => {
    const doc = load((d) => {
      d.nodes.push({ id: 'again', kind: 'call', params: { network: 'D' } }, { id: 'named', kind: 'noise', label: 'D loss', params: { shape: [1] } });
      d.edges!.push({ id: 'a1', source: { node: 'X', port: 'images' }, target: { node: 'again', port: 'x' } });
    });
    const main = analyse(doc).main.nodes;
    expect([main.get('real')!.name, main.get('again')!.name]).toEqual(['D(X)', 'D(X) #2']);
    // "D loss" is taken by a label: the loss keeps its id.
    expect(main.get('loss')!.name).toBeUndefined();
  });
});
