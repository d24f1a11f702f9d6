import { fetchClassifier, fetchData } from '@/lib/data/fetch';
import { selectBackend, tf } from '@/lib/train/browser-backends';
import type { TrainCommand, TrainEvent } from '@/lib/train/protocol';
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
  async png({ width, height, channels, pixels }) {
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      // Greyscale repeated, RGB as it is, RGBA with its alpha (a dataset imported with its transparency kept).
      for (let c = 0; c < 3; c++) rgba[p * 4 + c] = pixels[p * channels + (channels >= 3 ? c : 0)]!;
      rgba[p * 4 + 3] = channels === 4 ? pixels[p * 4 + 3]! : 255;
    }
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext('2d')!.putImageData(new ImageData(rgba, width, height), 0, 0);
    return canvas.convertToBlob({ type: 'image/png' });
  },
});

scope.onmessage = (e) => void session.handle(e.data);
