import { z } from 'zod';
import type { NodeKind } from './kind';

/**
 * A kind's params as people see them: each field with its title, what it
 * accepts, and, for a node's stored params, the value every field really has
 * and one message in words per field in error. The inspector and analysis
 * both read params through here, so the form and the problems list agree.
 */

/** A param as the kind's schema describes it (its JSON Schema); `widget` is the kind's own metadata. */
export interface FieldSchema {
  type?: string;
  enum?: unknown[];
  items?: FieldSchema;
  properties?: Record<string, FieldSchema>;
  minItems?: number;
  maxItems?: number;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  widget?: 'network' | 'networks' | 'dataset' | 'block-args';
}

export interface ParamField {
  key: string;
  /** "Use bias" for `useBias`. */
  title: string;
  schema: FieldSchema;
}

const cache = new WeakMap<object, readonly ParamField[]>();

/** The kind's fields in the schema's order. */
export function paramFields(kind: Pick<NodeKind, 'params'>): readonly ParamField[] {
  let fields = cache.get(kind.params);
  if (!fields) {
    const json = z.toJSONSchema(kind.params, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, FieldSchema> };
    fields = Object.entries(json.properties ?? {}).map(([key, schema]) => ({ key, title: fieldTitle(key), schema }));
    cache.set(kind.params, fields);
  }
  return fields;
}

/** A param's name as people read it: `inputGradient` -> "Input gradient". */
export const fieldTitle = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().replace(/^./, (c) => c.toUpperCase());

/** Bounds above this are technical caps, named only to a value beyond them. */
const NOTABLE_MAXIMUM = 1e6;

const formatNumber = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : String(n));

/** What a number field accepts, given the value it was offered: "a whole number from 1 to 65,536". */
function numberRequirement(schema: FieldSchema, value: unknown, plural = false): string {
  const noun = schema.type === 'integer' ? (plural ? 'whole numbers' : 'a whole number') : plural ? 'numbers' : 'a number';
  const above = typeof value === 'number' && ((schema.maximum !== undefined && value > schema.maximum) || (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum));
  const max =
    schema.maximum !== undefined && (schema.maximum < NOTABLE_MAXIMUM || above)
      ? { n: schema.maximum, exclusive: false }
      : schema.exclusiveMaximum !== undefined && (schema.exclusiveMaximum < NOTABLE_MAXIMUM || above)
        ? { n: schema.exclusiveMaximum, exclusive: true }
        : undefined;
  const min = schema.minimum !== undefined ? { n: schema.minimum, exclusive: false } : schema.exclusiveMinimum !== undefined ? { n: schema.exclusiveMinimum, exclusive: true } : undefined;
  if (min && max && !min.exclusive && !max.exclusive) return `${noun} from ${formatNumber(min.n)} to ${formatNumber(max.n)}`;
  const parts = [
    min && (min.exclusive ? `greater than ${formatNumber(min.n)}` : `of at least ${formatNumber(min.n)}`),
    max && (max.exclusive ? `less than ${formatNumber(max.n)}` : `of at most ${formatNumber(max.n)}`),
  ].filter(Boolean);
  return [noun, parts.join(' and ')].filter(Boolean).join(' ');
}

/** What a field accepts, in words: "a whole number of at least 1", "one of relu, sigmoid, tanh". */
export function requirement(field: ParamField, value?: unknown): string {
  const { schema } = field;
  if (schema.widget === 'network') return 'one of the graph\'s networks';
  if (schema.widget === 'networks') return 'a choice among the graph\'s networks';
  if (schema.widget === 'dataset') return 'a dataset of your library';
  if (schema.widget === 'block-args') return "a number for each of the block's parameters";
  if (schema.enum) return `one of ${schema.enum.map(String).join(', ')}`;
  if (schema.type === 'boolean') return 'on or off';
  if (schema.type === 'integer' || schema.type === 'number') return numberRequirement(schema, value);
  if (schema.type === 'array') {
    const items = schema.items ?? {};
    const element = Array.isArray(value) ? value.find((v) => typeof v === 'number') : undefined;
    const what = items.type === 'integer' || items.type === 'number' ? numberRequirement(items, element, true) : 'values';
    const count =
      schema.minItems !== undefined && schema.maxItems !== undefined
        ? schema.minItems === schema.maxItems
          ? `${schema.minItems} `
          : `${schema.minItems} to ${schema.maxItems} `
        : schema.minItems
          ? `at least ${schema.minItems} `
          : '';
    return `a list of ${count}${what}, separated by commas`;
  }
  if (schema.type === 'string') return 'text';
  return 'a valid value';
}

/** Zod's own messages are for programmers; a kind's custom messages (refine) are already in words. */
/** The field an issue is about, into nested objects (the training settings' `evaluation.samples`), and its value. */
function innermost(field: ParamField | undefined, path: readonly PropertyKey[], raw: Readonly<Record<string, unknown>>): [ParamField | undefined, unknown] {
  let value: unknown = raw[String(path[0] ?? '')];
  let current = field;
  for (const step of path.slice(1)) {
    const inner = current?.schema.properties?.[String(step)];
    if (!inner || typeof step !== 'string') break;
    current = { key: step, title: fieldTitle(step), schema: inner };
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined;
  }
  return [current, value];
}

function messageFor(field: ParamField | undefined, value: unknown, key: string, issue: z.core.$ZodIssue): string {
  const name = (field?.title ?? fieldTitle(key)).toLowerCase();
  if (issue.code === 'custom') return `${name}: ${issue.message}`;
  if (!field) return `${name} is not a field of this kind`;
  if (value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value))) return `${name} needs a value: ${requirement(field, value)}`;
  return `${name} must be ${requirement(field, value)}`;
}

export interface ParamsReading {
  /** The params, parsed; undefined when some field is invalid. */
  parsed: unknown;
  /** Parsed with the defaults standing in for the fields in error (undefined if even that fails). */
  fallback: unknown;
  /** One message per field in error, in words; the key '' for the params as a whole. */
  issues: Map<string, string>;
}

/** Reads a node's stored params against its kind, field by field. */
export function readParams(kind: Pick<NodeKind, 'params'>, raw: Readonly<Record<string, unknown>>): ParamsReading {
  const result = kind.params.safeParse(raw);
  const issues = new Map<string, string>();
  let fallback: unknown = result.data;
  if (!result.success) {
    const fields = paramFields(kind);
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (issues.has(key)) continue;
      issues.set(key, messageFor(...innermost(fields.find((f) => f.key === key), issue.path, raw), key, issue));
    }
    // The fields in error take their defaults meanwhile: the node keeps its ports, its neighbours their shapes.
    const others = kind.params.safeParse(Object.fromEntries(Object.entries(raw).filter(([key]) => !issues.has(key))));
    fallback = others.success ? others.data : undefined;
  }
  return { parsed: result.success ? result.data : undefined, fallback, issues };
}

/** What each field of a node holds, for its form: the stored value, valid or not, else what applies (its default). */
export function fieldValues(kind: Pick<NodeKind, 'params'>, raw: Readonly<Record<string, unknown>>, reading: ParamsReading): Record<string, unknown> {
  const applied = (reading.fallback ?? {}) as Record<string, unknown>;
  return Object.fromEntries(paramFields(kind).map(({ key, schema }) => [key, key in raw ? raw[key] : key in applied ? applied[key] : schema.default]));
}
