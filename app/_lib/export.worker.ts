import { parentPort } from 'node:worker_threads';
import { exportProject } from '@/codegen/export';
import { packageName } from '@/codegen/typescript/project';
import { zipProject } from '@/codegen/zip';
import type { GraphDoc } from '@/lib/graph/schema';
import type { ExportReply, ExportRequest } from './export-thread';

/** The exporter in its own thread: a graph in, the zipped project (or why not) out. */
parentPort!.on('message', ({ id, graph, name }: ExportRequest) => {
  let reply: ExportReply;
  try {
    const exported = exportProject(graph as GraphDoc);
    if (!exported.ok) reply = { id, ok: false, error: exported.error };
    else {
      const zip = zipProject(exported.value, packageName(name));
      reply = { id, ok: true, zip };
    }
  } catch (error) {
    reply = { id, ok: false, error: `Export failed: ${(error as Error).message}`, crashed: true };
  }
  parentPort!.postMessage(reply, reply.ok ? [reply.zip.buffer as ArrayBuffer] : []);
});
