import { fetchClassifier, fetchData } from '@/lib/data/fetch';
import { selectBackend, tf } from '@/lib/train/browser-backends';
import type { TrainCommand, TrainEvent } from '@/lib/train/protocol';
import { encodePng } from '@/lib/train/png';
import { TrainingSession } from '@/lib/train/session';
import { saveCheckpoint } from './api';

/** The training worker: tfjs runs here, never on the page's thread. */
const scope = self as unknown as { postMessage(event: TrainEvent): void; onmessage: ((e: MessageEvent<TrainCommand>) => void) | null };

const session = new TrainingSession({
  post: (event) => scope.postMessage(event),
  selectBackend: async (choice) => ({ tf, ...(await selectBackend(choice)) }),
  data: fetchData(),
  classifier: fetchClassifier(tf),
  saveCheckpoint,
  // Encoded here, not by an OffscreenCanvas, which stalls while the page's thread is blocked (lib/train/png.ts).
  png: async (picture) => new Blob([encodePng(picture)], { type: 'image/png' }),
});

scope.onmessage = (e) => void session.handle(e.data);
