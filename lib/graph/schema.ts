import { DEFAULT_EVALUATION, MAX_EVALUATION_SAMPLES } from '../runtime/scores';
import { z } from 'zod';

/**
 * The GraphDoc: the only thing that is saved, sent or exported. Node params are
 * kept as unknown records here; each kind validates its own params during
 * analysis, so one bad field becomes a problem on that node instead of making
 * the whole document unreadable.
 */
export const CURRENT_SCHEMA_VERSION = 2;

/** The most one document may hold: every write and every piece of work on a graph is bounded by these. */
export const GRAPH_LIMITS = {
  /** The document as JSON (UTF-8). */
  bytes: 8 * 1024 * 1024,
  /** Nodes, in the main graph and all networks together. */
  nodes: 20_000,
  /** Edges, likewise. */
  edges: 40_000,
  networks: 1_000,
} as const;

const Id = z.string().min(1).max(200);

export const PositionSchema = z.object({ x: z.number().finite(), y: z.number().finite() });

export const GraphNodeSchema = z.object({
  id: Id,
  kind: z.string().min(1).max(100),
  label: z.string().max(200).optional(),
  params: z.record(z.string(), z.unknown()).default({}),
  position: PositionSchema.default({ x: 0, y: 0 }),
});

export const PortRefSchema = z.object({ node: Id, port: z.string().min(1).max(200) });

export const EdgeSchema = z.object({ id: Id, source: PortRefSchema, target: PortRefSchema });

/** A number a block's calls choose (a channel count), and the value it has where the block is seen on its own. */
export const BlockParamSchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,49}$/, 'a parameter name is a letter or _, then letters, digits or _ (at most 50)'),
  default: z.number().finite(),
});

/** What makes a network a block (lib/graph/blocks.ts): every call is a copy with weights of its own, sized by its values of these parameters. */
export const BlockSchema = z.object({
  params: z
    .array(BlockParamSchema)
    .max(32, 'a block has at most 32 parameters')
    .default([])
    .refine((params) => new Set(params.map((p) => p.name)).size === params.length, 'two parameters of a block have one name'),
});

/** A named sub-graph with its own input and output nodes; every call shares its weights, unless it is a block. */
export const NetworkSchema = z.object({
  id: Id,
  name: z.string().min(1).max(100),
  color: z.string().max(50).optional(),
  nodes: z.array(GraphNodeSchema),
  edges: z.array(EdgeSchema),
  block: BlockSchema.optional(),
});

/** One entry of an iteration: run this optimizer's step `repeat` times (e.g. d_steps). */
export const ScheduleStepSchema = z.object({
  optimizer: Id,
  repeat: z.number().int().min(1).max(1000).default(1).describe('Rounds of this step per iteration (d_steps)'),
});

/** Where training runs in the browser: the fastest found (auto), or one backend. */
export const TRAINING_BACKENDS = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type TrainingBackend = (typeof TRAINING_BACKENDS)[number];

/** A port whose value is shown as a 4x4 image grid while training. */
export const PreviewSchema = z.object({
  node: Id,
  port: z.string().min(1).max(200),
  range: z.enum(['0..1', '-1..1']).default('0..1').describe('Value range mapped to black..white'),
});

export const ReconstructionSchema = PreviewSchema.extend({ input: PortRefSchema });

/** Absent: the analysis proposes one from the graph; 'none': no grid. */
export const PreviewsSchema = z.object({
  /** Generated images, evaluated from a fixed draw of the noise feeding them. */
  samples: z.union([PreviewSchema, z.literal('none')]).optional(),
  /** Reconstructions P(Q(x)), shown beside the inputs x they came from. */
  reconstructions: z.union([ReconstructionSchema, z.literal('none')]).optional(),
});

export const TrainingSchema = z.object({
  batchSize: z.number().int().min(1).max(65536).default(64),
  iterations: z.number().int().min(1).max(100_000_000).default(10_000),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** Sample grids (and progress lines) every this many iterations, as the seeds do every 1000. */
  sampleEvery: z.number().int().min(1).default(1000),
  /** The optimizer steps of one iteration, in order; every optimizer is listed (a new one is appended). */
  schedule: z.array(ScheduleStepSchema).max(1000).default([]),
  previews: PreviewsSchema.default({}),
  backend: z.enum(TRAINING_BACKENDS).default('auto'),
  /** Quality scores of the samples every `every` iterations on `samples` generated images (every 0: off). */
  evaluation: z
    .object({
      every: z.number().int().min(0).max(100_000_000).default(DEFAULT_EVALUATION.every).describe('Score the samples every this many iterations (0: never)'),
      samples: z.number().int().min(2).max(MAX_EVALUATION_SAMPLES).default(DEFAULT_EVALUATION.samples).describe('Generated (and real) images each score compares'),
    })
    .default(DEFAULT_EVALUATION),
  /** Stop when a loss stays far above where it had been: `factor` times its running median for `patience` iterations (absent: off). */
  guard: z
    .object({
      factor: z.number().min(1.5).max(1e6).default(10).describe('How many times its running median a loss may reach'),
      patience: z.number().int().min(1).max(100_000).default(50).describe('For how many iterations in a row, before the run stops'),
    })
    .optional(),
});

export const GraphDocSchema = z.object({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  name: z.string().min(1).max(200),
  description: z.string().max(10_000).default(''),
  nodes: z.array(GraphNodeSchema),
  edges: z.array(EdgeSchema),
  networks: z.array(NetworkSchema).max(GRAPH_LIMITS.networks, `A graph has at most ${GRAPH_LIMITS.networks} networks`).default([]),
  training: TrainingSchema.default(TrainingSchema.parse({})),
}).superRefine((doc, context) => {
  const scopes = [doc, ...doc.networks];
  const nodes = scopes.reduce((sum, scope) => sum + scope.nodes.length, 0);
  const edges = scopes.reduce((sum, scope) => sum + scope.edges.length, 0);
  if (nodes > GRAPH_LIMITS.nodes) context.addIssue({ code: 'custom', path: ['nodes'], message: `${nodes} nodes: a graph has at most ${GRAPH_LIMITS.nodes} (main graph and networks together)` });
  if (edges > GRAPH_LIMITS.edges) context.addIssue({ code: 'custom', path: ['edges'], message: `${edges} edges: a graph has at most ${GRAPH_LIMITS.edges} (main graph and networks together)` });
});

export type GraphNode = z.infer<typeof GraphNodeSchema>;
export type PortRef = z.infer<typeof PortRefSchema>;
export type Edge = z.infer<typeof EdgeSchema>;
export type Network = z.infer<typeof NetworkSchema>;
export type BlockParam = z.infer<typeof BlockParamSchema>;
export type ScheduleStep = z.infer<typeof ScheduleStepSchema>;
export type Training = z.infer<typeof TrainingSchema>;
export type Preview = z.infer<typeof PreviewSchema>;
export type Reconstruction = z.infer<typeof ReconstructionSchema>;
export type Previews = z.infer<typeof PreviewsSchema>;
export type GraphDoc = z.infer<typeof GraphDocSchema>;
/** What callers may write by hand (defaults filled in by parsing). */
export type GraphDocInput = z.input<typeof GraphDocSchema>;
