import { z } from 'zod';
import { port, type NetworkInputKind } from '../kind';
import { dims } from '../common';

const OUT = 'out';

/** An input of a network; its label names the port that calls of the network show. */
export const networkInput: NetworkInputKind<{ shape: number[] }> = {
  role: 'network-input',
  kind: 'network-input',
  category: 'networks',
  title: 'Network input',
  doc: 'declares an input of the enclosing network: out [b, ...shape]',
  params: z.object({ shape: dims.default([784]).describe('Shape of one item, without the batch dimension') }),
  placement: 'network',
  example: { params: { shape: [6] }, inputs: {} },
  port: OUT,
  inputs: () => [],
  outputs: () => [port(OUT)],
  inferShape: (p) => ({ [OUT]: [null, ...p.shape] }),
  declaredShape: (p) => [null, ...p.shape],
  create: (itemShape) => ({ shape: [...itemShape] }),
};
