import { parentPort } from 'node:worker_threads';
import { dataBytes, exportData } from '@/codegen/data';
import { exportProject } from '@/codegen/export';
import { nodeDataFiles } from '@/lib/data/node';
import { findTarget } from '@/codegen/targets/catalog';
import { downloadBytes } from '@/codegen/zip';
import type { GraphDoc } from '@/lib/graph/schema';
import type { ExportReply, ExportRequest } from './export-thread';

/** The exporter in its own thread: a graph in, the download (a zipped project, or the target's file) or why not out. */
parentPort!.on('message', async ({ id, graph, name, folders, target, network }: ExportRequest) => {
  let reply: ExportReply;
  try {
    // A network target writes it with the initial weights (a run's checkpoint goes through the run history's route).
    const exported = exportProject(graph as GraphDoc, target, findTarget(target)?.network ? { network } : undefined);
    if (!exported.ok) reply = { id, ok: false, error: exported.error };
    else {
      // Only the folders the request names: datasets its owner was checked to own.
      // Data that cannot be read (a dataset's files gone from disk) is the request's problem to report, not a crash.
      const data = await exportData(exported.value, nodeDataFiles(undefined, new Map(Object.entries(folders))))
        .then((files) => dataBytes(files))
        .catch((error: Error) => error);
      reply =
        data instanceof Error
          ? { id, ok: false, error: `The graph's data cannot be exported: ${data.message}` }
          : { id, ok: true, zip: downloadBytes(findTarget(target)!, exported.value, name, data) };
    }
  } catch (error) {
    reply = { id, ok: false, error: `Export failed: ${(error as Error).message}`, crashed: true };
  }
  parentPort!.postMessage(reply, reply.ok ? [reply.zip.buffer as ArrayBuffer] : []);
});
