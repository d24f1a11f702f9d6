import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ExportTarget } from '@/codegen/export';
import type { GraphDoc } from '@/lib/graph/schema';
import { err, ok, type Result } from '@/lib/result';

/**
 * Exports run in one worker thread, one at a time, so that a large graph
 * (a second of analysis, planning and printing) never holds up the requests
 * the server is answering meanwhile. The thread stays warm between exports.
 */
export interface ExportRequest {
  id: number;
  graph: GraphDoc;
  name: string;
  /** The folders of the library datasets the graph reads, by id. */
  folders: Record<string, string>;
  target: ExportTarget;
}
export type ExportReply = { id: number; ok: true; zip: Uint8Array } | { id: number; ok: false; error: string; crashed?: boolean };

let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, (reply: ExportReply) => void>();

function thread(): Worker {
  if (worker) return worker;
  const started = startThread();
  started.unref();
  started.on('message', (reply: ExportReply) => {
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  const fail = (error: Error) => {
    for (const [id, settle] of waiting) settle({ id, ok: false, error: `Export failed: ${error.message}`, crashed: true });
    waiting.clear();
    if (worker === started) worker = undefined;
  };
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`the export thread exited (${code})`)));
  worker = started;
  return started;
}

function startThread(): Worker {
  // Inside Next.js (set by its compiler): written as the bundler expects it, so that the build compiles the worker.
  if (process.env.NEXT_RUNTIME) return new Worker(new URL('./export.worker.ts', import.meta.url));
  // Run from source (tests, scripts under tsx): tsx's CommonJS hook compiles the worker's TypeScript.
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'export.worker.ts');
  return new Worker(`require("tsx/cjs/api").register(); require(${JSON.stringify(entry)});`, { eval: true });
}

/** The saved graph as a zipped TypeScript project with its data, made off this thread; an error names what stops the export. */
export function exportZip(graph: GraphDoc, name: string, folders: Record<string, string>, target: ExportTarget = 'typescript'): Promise<Result<Uint8Array, { message: string; crashed: boolean }>> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, (reply) => resolve(reply.ok ? ok(reply.zip) : err({ message: reply.error, crashed: reply.crashed ?? false })));
    thread().postMessage({ id, graph, name, folders, target } satisfies ExportRequest);
  });
}
