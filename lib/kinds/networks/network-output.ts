import { z } from 'zod';
import { port, type NetworkOutputKind } from '../kind';

const IN = 'in';

/** An output of a network; its label names the port that calls of the network show. */
export const networkOutput: NetworkOutputKind<Record<string, never>> = {
  role: 'network-output',
  kind: 'network-output',
  category: 'networks',
  title: 'Network output',
  doc: 'in [...] becomes an output of the enclosing network',
  params: z.object({}),
  placement: 'network',
  example: { params: {}, inputs: { [IN]: [null, 3] } },
  port: IN,
  inputs: () => [port(IN)],
  outputs: () => [],
  inferShape: () => ({}),
};
