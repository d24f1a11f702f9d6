import type * as tfjs from '@tensorflow/tfjs';
import type { Analysis } from '../graph/analyse';
import type { TF, Tensor } from '../kinds/kind';
import { initialValue } from './init';
import { weightSeed } from '../data/rng';

/**
 * The trainable weights of every network, created once: every call of a
 * network reads the same variables. Names are `network/node/weight` (ids),
 * stable across runs so checkpoints and tests can address them.
 */
export interface WeightStore {
  byName: ReadonlyMap<string, tfjs.Variable>;
  ofNetwork(network: string): tfjs.Variable[];
  ofNode(network: string | undefined, node: string): Record<string, tfjs.Variable>;
  assign(values: ReadonlyMap<string, Tensor>): void;
  /** Changes whenever the variable is assigned (an optimizer step), for caching what was computed from it. */
  version(variable: tfjs.Variable): number;
  dispose(): void;
}

export const weightName = (network: string, node: string, weight: string) => `${network}/${node}/${weight}`;

export function createVariables(tf: TF, analysis: Analysis, seed: number): WeightStore {
  const byName = new Map<string, tfjs.Variable>();
  const byNetwork = new Map<string, tfjs.Variable[]>();
  const byNode = new Map<string, Record<string, tfjs.Variable>>();
  for (const networkId of analysis.networkOrder) {
    const scope = analysis.networks.get(networkId)!;
    const list: tfjs.Variable[] = [];
    for (const nodeId of scope.order) {
      const info = scope.nodes.get(nodeId)!;
      if (info.kind?.role !== 'op' || !info.kind.weights) continue;
      const own: Record<string, tfjs.Variable> = {};
      for (const spec of info.kind.weights(info.params, info.inShapes)) {
        const name = weightName(networkId, nodeId, spec.name);
        const fans = spec.fans ?? { fanIn: spec.shape[0] ?? 1, fanOut: spec.shape[1] ?? 1 };
        // Inside tidy: the initial value is released, its data lives on in the variable.
        const variable = tf.tidy(() => tf.variable(initialValue(tf, spec.init, spec.shape, fans, weightSeed(seed, name))));
        own[spec.name] = variable;
        byName.set(name, variable);
        list.push(variable);
      }
      byNode.set(`${networkId}/${nodeId}`, own);
    }
    byNetwork.set(networkId, list);
  }
  const versions = new WeakMap<object, number>();
  let nextVersion = 0;
  return {
    byName,
    version(variable) {
      let version = versions.get(variable.dataId);
      if (version === undefined) {
        version = nextVersion++;
        versions.set(variable.dataId, version);
      }
      return version;
    },
    ofNetwork: (network) => byNetwork.get(network) ?? [],
    ofNode: (network, node) => (network === undefined ? {} : (byNode.get(`${network}/${node}`) ?? {})),
    assign(values) {
      for (const [name, value] of values) {
        const variable = byName.get(name);
        if (!variable) throw new Error(`unknown weight "${name}"; this graph has: ${[...byName.keys()].join(', ')}`);
        if (variable.shape.join('x') !== value.shape.join('x')) {
          throw new Error(`weight "${name}" has shape [${variable.shape.join(', ')}], got [${value.shape.join(', ')}]`);
        }
      }
      for (const [name, value] of values) byName.get(name)!.assign(value);
    },
    dispose: () => byName.forEach((v) => v.dispose()),
  };
}
