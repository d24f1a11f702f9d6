import { analyse, callee } from '@/lib/graph/analyse';
import { estimatedSize } from '@/lib/graph/layout';
import type { GraphDoc } from '@/lib/graph/schema';
import { isLoss } from '@/lib/kinds/kind';
import { networkColor } from '../projects/[id]/_editor/flow';

/**
 * A template's main graph as a small picture for the picker: each node a
 * box where the editor draws it, coloured as the editor colours it (a call
 * in its network's colour; data, losses and optimizers each their own), and
 * each edge a line. Plain numbers, so the server computes it once.
 */
export interface Thumbnail {
  width: number;
  height: number;
  boxes: { x: number; y: number; width: number; height: number; color: string; label: string }[];
  lines: { x1: number; y1: number; x2: number; y2: number }[];
}

const ROLE_COLORS = { source: '#64748b', loss: '#d97706', optimizer: '#9ca3af', other: '#cbd5e1' } as const;

export function graphThumbnail(doc: GraphDoc): Thumbnail {
  const analysis = analyse(doc);
  const boxes = doc.nodes.map((node) => {
    const info = analysis.main.nodes.get(node.id);
    const network = callee(info);
    const role = info?.kind?.role;
    const color =
      network !== undefined ? networkColor(doc, network) : role === 'source' ? ROLE_COLORS.source : isLoss(info?.kind) ? ROLE_COLORS.loss : role === 'optimizer' ? ROLE_COLORS.optimizer : ROLE_COLORS.other;
    return { ...node.position, ...estimatedSize(info), color, label: node.label || node.id };
  });
  const at = new Map(doc.nodes.map((n, i) => [n.id, boxes[i]!]));
  const lines = doc.edges.flatMap((edge) => {
    const from = at.get(edge.source.node);
    const to = at.get(edge.target.node);
    return from && to ? [{ x1: from.x + from.width, y1: from.y + from.height / 2, x2: to.x, y2: to.y + to.height / 2 }] : [];
  });
  // Shifted to the origin, so the picture's viewBox starts at 0, 0.
  const minX = boxes.length ? Math.min(...boxes.map((b) => b.x)) : 0;
  const minY = boxes.length ? Math.min(...boxes.map((b) => b.y)) : 0;
  const shifted = boxes.map((b) => ({ ...b, x: b.x - minX, y: b.y - minY }));
  return {
    width: Math.max(1, ...shifted.map((b) => b.x + b.width)),
    height: Math.max(1, ...shifted.map((b) => b.y + b.height)),
    boxes: shifted,
    lines: lines.map((l) => ({ x1: l.x1 - minX, y1: l.y1 - minY, x2: l.x2 - minX, y2: l.y2 - minY })),
  };
}
