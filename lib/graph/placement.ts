/**
 * Where a new node goes: the free spot nearest to where it was asked for (the
 * view's centre for a node added from the keyboard, the drop point for a
 * dragged one), clear of every node already there, so that nodes added one
 * after another never hide each other.
 */
export interface Point {
  x: number;
  y: number;
}

export interface Rect extends Point {
  width: number;
  height: number;
}

/** Space kept between a new node and its neighbours: an edge's handle and a little air. */
export const PLACEMENT_GAP = 24;
/** Candidate spots lie on a grid this fine around the wanted one. */
const STEP = 40;
/** Candidates lie within this many steps of the wanted spot (about 2,400 px each way). */
const RADIUS = 60;

const overlaps = (a: Rect, b: Rect, gap: number) => a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;

let offsets: readonly Point[] | undefined;
/** Grid offsets within the radius, nearest first; on a tie, right and below first, where a graph read left to right grows. */
function nearestFirst(): readonly Point[] {
  if (offsets) return offsets;
  const all: Point[] = [];
  for (let x = -RADIUS; x <= RADIUS; x++) for (let y = -RADIUS; y <= RADIUS; y++) if (x * x + y * y <= RADIUS * RADIUS) all.push({ x, y });
  all.sort((a, b) => a.x * a.x + a.y * a.y - (b.x * b.x + b.y * b.y) || b.x - a.x || b.y - a.y);
  return (offsets = all);
}

/**
 * The top-left corner for a node of `size` whose centre is wanted at
 * `centre`: that spot if it is free, else the nearest free one on a grid
 * around it. Past the search (a crowded view), below everything.
 */
export function freeSpot(centre: Point, size: { width: number; height: number }, taken: readonly Rect[], gap = PLACEMENT_GAP): Point {
  const origin = { x: Math.round(centre.x - size.width / 2), y: Math.round(centre.y - size.height / 2) };
  // Only nodes the search can reach matter.
  const reach = RADIUS * STEP + Math.max(size.width, size.height) + gap;
  const near = taken.filter((r) => Math.abs(r.x - origin.x) < reach + r.width && Math.abs(r.y - origin.y) < reach + r.height);
  for (const o of nearestFirst()) {
    const spot = { x: origin.x + o.x * STEP, y: origin.y + o.y * STEP, ...size };
    if (!near.some((r) => overlaps(spot, r, gap))) return { x: spot.x, y: spot.y };
  }
  const bottom = Math.max(...taken.map((r) => r.y + r.height));
  return { x: origin.x, y: bottom + gap };
}
