import { parseArgs } from 'node:util';
import { BACKEND_CHOICES, type BackendChoice } from './backend';

/** The training settings, from the script's defaults and its command-line flags. */
export interface Settings {
  iterations: number;
  batchSize: number;
  seed: number;
  sampleEvery: number;
  logEvery: number;
  checkpointEvery: number;
  /** Quality scores every this many iterations (0: none), on this many samples. */
  evalEvery: number;
  evalSamples: number;
  /** Folder for sample grids, checkpoints and the summary. */
  out: string;
  /** Folder with one folder per dataset the graph reads (data/<id>/). */
  data: string;
  /** A checkpoint folder to continue from. */
  resume: string | undefined;
  backend: BackendChoice;
  /** One JSON object per log line instead of text. */
  json: boolean;
}

export type Defaults = Omit<Settings, 'resume' | 'json'>;

const NUMBERS = {
  iterations: { flag: 'iterations', min: 0, help: 'training iterations (each runs every optimizer step of the schedule)' },
  batchSize: { flag: 'batch-size', min: 1, help: 'batch size' },
  seed: { flag: 'seed', min: 0, help: 'seed of the initial weights, the data order and the noise' },
  sampleEvery: { flag: 'sample-every', min: 1, help: 'write sample grids every N iterations' },
  logEvery: { flag: 'log-every', min: 1, help: 'print the losses every N iterations' },
  checkpointEvery: { flag: 'checkpoint-every', min: 1, help: 'save a checkpoint every N iterations' },
  evalEvery: { flag: 'eval-every', min: 0, help: 'score the samples every N iterations (0: never)' },
  evalSamples: { flag: 'eval-samples', min: 2, help: 'samples (and real images) each score compares' },
} as const;

export function usage(defaults: Defaults): string {
  const lines = Object.entries(NUMBERS).map(([key, { flag, help }]) => `  --${flag} N`.padEnd(24) + `${help} (default ${defaults[key as keyof typeof NUMBERS]})`);
  return [
    'Usage: npm run train -- [flags]',
    ...lines,
    `  --out DIR`.padEnd(24) + `sample grids, checkpoints and summary.json (default ${defaults.out})`,
    `  --data DIR`.padEnd(24) + `the datasets, one folder each (default ${defaults.data})`,
    `  --resume DIR`.padEnd(24) + 'continue from a checkpoint folder (e.g. out/checkpoint)',
    `  --backend NAME`.padEnd(24) + `${BACKEND_CHOICES.join(', ')} (default ${defaults.backend}${defaults.backend === 'auto' ? ': the fastest available' : ''})`,
    `  --json`.padEnd(24) + 'print one JSON object per log line',
  ].join('\n');
}

/** Parses the flags; a wrong one is an error that names it (the caller prints it with the usage). */
export function readSettings(argv: string[], defaults: Defaults): Settings | 'help' {
  const options = Object.fromEntries(Object.values(NUMBERS).map(({ flag }) => [flag, { type: 'string' as const }]));
  const { values } = parseArgs({
    args: argv,
    options: {
      ...options,
      out: { type: 'string' },
      data: { type: 'string' },
      resume: { type: 'string' },
      backend: { type: 'string', default: defaults.backend },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const numbers = Object.fromEntries(
    Object.entries(NUMBERS).map(([key, { flag, min }]) => {
      const text = (values as Record<string, unknown>)[flag] as string | undefined;
      if (text === undefined) return [key, defaults[key as keyof typeof NUMBERS]];
      const n = Number(text);
      if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${flag} must be an integer of at least ${min}, got "${text}"`);
      return [key, n];
    }),
  ) as Pick<Settings, keyof typeof NUMBERS>;
  const backend = values.backend as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend)) throw new Error(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got "${values.backend}"`);
  return { ...numbers, out: values.out ?? defaults.out, data: values.data ?? defaults.data, resume: values.resume, backend, json: values.json ?? false };
}
