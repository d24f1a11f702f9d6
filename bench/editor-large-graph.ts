/**
 * Dragging and zooming a 500-node graph in the editor, in Chromium against the
 * production build: frame times measured in the page with requestAnimationFrame
 * while a node is dragged across the canvas and while the wheel zooms.
 *   npx next build && npx tsx bench/editor-large-graph.ts [--nodes 500]
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { bigGraph } from './big-graph';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '500' } } });
const PORT = 3200;

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'netloom-bench-'));
  process.env.DATABASE_URL = `file:${path.join(dir, 'bench.db')}`;
  const { migrate } = await import('../lib/db/migrate');
  const { LOCAL_OWNER } = await import('../lib/db/owner');
  const { createProject, saveGraph } = await import('../lib/db/projects');
  await migrate(process.env.DATABASE_URL);
  const created = await createProject(LOCAL_OWNER, { name: 'Large graph' });
  if (!created.ok) throw new Error(created.error.message);
  const saved = await saveGraph(LOCAL_OWNER, created.value.id, 1, bigGraph(Number(values.nodes)));
  if (!saved.ok) throw new Error(saved.error.message);

  const server = spawn('npx', ['next', 'start', '-p', String(PORT)], { env: process.env, stdio: 'ignore', detached: true });
  try {
    for (let i = 0; i < 60; i++) {
      if (await fetch(`http://127.0.0.1:${PORT}/`).then((r) => r.ok).catch(() => false)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--disable-background-networking', '--no-first-run'] });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    // tsx keeps function names with a __name helper that the page does not have.
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    const opened = performance.now();
    await page.goto(`http://127.0.0.1:${PORT}/projects/${created.value.id}`);
    await page.locator('.graph-node').first().waitFor();
    const firstPaint = performance.now() - opened;
    const total = await page.evaluate(() => document.querySelectorAll('.graph-node').length);

    const frames = async (action: () => Promise<void>) => {
      await page.evaluate(() => {
        const w = window as unknown as { frames_: number[]; stop_: boolean };
        w.frames_ = [];
        w.stop_ = false;
        let last = performance.now();
        const tick = (now: number) => {
          w.frames_.push(now - last);
          last = now;
          if (!w.stop_) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      await action();
      const times = await page.evaluate(() => {
        const w = window as unknown as { frames_: number[]; stop_: boolean };
        w.stop_ = true;
        return w.frames_.slice(1);
      });
      times.sort((a, b) => a - b);
      const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
      return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, worst ${at(1).toFixed(1)} ms over ${times.length} frames`;
    };

    const title = page.locator('.graph-node-title').first();
    const box = (await title.boundingBox())!;
    const drag = await frames(async () => {
      await page.mouse.move(box.x + 10, box.y + 5);
      await page.mouse.down();
      for (let i = 1; i <= 60; i++) await page.mouse.move(box.x + 10 + i * 6, box.y + 5 + i * 3);
      await page.mouse.up();
    });
    const zoom = await frames(async () => {
      await page.mouse.move(800, 500);
      for (let i = 0; i < 30; i++) await page.mouse.wheel(0, i < 15 ? 120 : -120);
      await page.waitForTimeout(300);
    });
    console.log(`editor with a ${values.nodes}-node graph (${total} nodes rendered in view at once): first nodes on screen after ${firstPaint.toFixed(0)} ms`);
    console.log(`  dragging a node: ${drag}`);
    console.log(`  zooming:         ${zoom}`);
    await browser.close();
  } finally {
    process.kill(-server.pid!);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
