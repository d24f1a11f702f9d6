import { describe, expect, it } from 'vitest';
import { freeSpot, PLACEMENT_GAP, type Rect } from '../../../lib/graph/placement';

const SIZE = { width: 250, height: 120 };
const clear = (a: Rect, b: Rect) => a.x + a.width + PLACEMENT_GAP <= b.x || b.x + b.width + PLACEMENT_GAP <= a.x || a.y + a.height + PLACEMENT_GAP <= b.y || b.y + b.height + PLACEMENT_GAP <= a.y;

describe('where a new node goes', () => {
  it('centres it on the wanted point when that is free', () => {
    expect(freeSpot({ x: 500, y: 300 }, SIZE, [])).toEqual({ x: 375, y: 240 });
    expect(freeSpot({ x: 500, y: 300 }, SIZE, [{ x: 2000, y: 2000, width: 250, height: 120 }])).toEqual({ x: 375, y: 240 });
  });

  it('ten nodes added at one centre all stay clear of each other, near the centre', () => {
    const placed: Rect[] = [];
    for (let i = 0; i < 10; i++) placed.push({ ...freeSpot({ x: 0, y: 0 }, SIZE, placed), ...SIZE });
    for (let i = 0; i < placed.length; i++) for (let j = i + 1; j < placed.length; j++) expect(clear(placed[i]!, placed[j]!), `${i} and ${j}`).toBe(true);
    // Nearest first: all within a few node sizes of the centre.
    for (const r of placed) expect(Math.hypot(r.x + r.width / 2, r.y + r.height / 2)).toBeLessThan(700);
  });

  it('the first move is the smallest that clears the node in the way', () => {
    const inTheWay: Rect = { x: -125, y: -60, ...SIZE };
    const spot = freeSpot({ x: 0, y: 0 }, SIZE, [inTheWay]);
    expect(clear({ ...spot, ...SIZE }, inTheWay)).toBe(true);
    // Clearing it vertically costs 120 + 24 (to 160 on the 40 px grid); sideways would cost 280.
    expect(Math.hypot(spot.x + 125, spot.y + 60)).toBeLessThanOrEqual(160);
  });

  it('a view covered with nodes puts it below them all', () => {
    const wall: Rect[] = [];
    for (let x = -3000; x <= 3000; x += 100) for (let y = -3000; y <= 3000; y += 100) wall.push({ x, y, width: 100, height: 100 });
    expect(freeSpot({ x: 0, y: 0 }, SIZE, wall)).toEqual({ x: -125, y: 3100 + PLACEMENT_GAP });
  });
});
