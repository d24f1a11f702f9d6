import { nodeLabel, type Scope } from '../graph/analyse';
import type { PortRef } from '../graph/schema';
import type { Monitor } from '../kinds/kind';

/** A quantity charted beside the losses: a loss kind's monitor on the port feeding it. */
export interface MonitoredInput {
  name: string;
  ref: PortRef;
  monitor: Monitor;
}

/** The inputs the main graph's loss nodes monitor, once each (G's loss and D's fake loss read the same D(G(z))). */
export function monitoredInputs(main: Scope): MonitoredInput[] {
  const found = new Map<string, MonitoredInput>();
  for (const id of main.order) {
    const info = main.nodes.get(id)!;
    const monitor = info.kind?.role === 'op' ? info.kind.monitor : undefined;
    const ref = monitor && main.incoming.get(id)?.get(monitor.input);
    if (!monitor || !ref) continue;
    const key = `${ref.node}:${ref.port}`;
    if (!found.has(key)) found.set(key, { name: monitor.describe(nodeLabel(main.nodes.get(ref.node)!)), ref, monitor });
  }
  return [...found.values()];
}
