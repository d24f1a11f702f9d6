'use client';

import { defaultValues, isParamRef, withValues, type ParamRef } from '@/lib/graph/blocks';
import type { GraphDoc, GraphNode, Network } from '@/lib/graph/schema';
import { networkOf } from '@/lib/kinds/kind';
import { getKind } from '@/lib/kinds/registry';
import type { DatasetChoice } from '@/lib/kinds/common';
import { fieldValues, paramFields, readParams, type FieldSchema } from '@/lib/kinds/fields';

/**
 * The params form of the selected node, generated from its kind's zod schema:
 * numbers, enums, booleans, lists of numbers and network choices (where the
 * schema asks for that widget); every param's description is its tooltip. Edits apply
 * at once; a value the schema refuses (an emptied field too) is kept and shown
 * with the reason in words (the node is marked with the problem) rather than
 * silently dropped or replaced by the default, and every other field still
 * shows the value it has. Inside a block, a number field (or an entry of a
 * list) can read one of the block's parameters; a call of a block gives
 * each parameter its value.
 */
export function Inspector({
  doc,
  datasets,
  node,
  block,
  onChange,
  onFit,
}: {
  doc: GraphDoc;
  datasets: readonly DatasetChoice[];
  node: GraphNode | undefined;
  /** The block the node sits in, if it does: its fields may read the block's parameters. */
  block?: Network['block'];
  onChange(change: { params?: Record<string, unknown>; label?: string }): void;
  /** Fits the graph's layer sizes to the data it reads. */
  onFit(): void;
}) {
  const kind = node ? getKind(node.kind) : undefined;
  if (!node) return <aside className="inspector muted">Select a node to edit it.</aside>;
  if (!kind) return <aside className="inspector">Unknown kind “{node.kind}”.</aside>;
  // Fields that read a parameter are checked with the block's defaults, as the block seen on its own is.
  const reading = readParams(kind, block ? withValues(node.params, defaultValues(block)) : node.params);
  const values = fieldValues(kind, node.params, reading);
  const called = doc.networks.find((n) => n.id === networkOf(kind, node.params))?.block;
  const issues = reading.issues;
  const set = (key: string, value: unknown) => onChange({ params: { ...node.params, [key]: value } });
  // A source of data (not noise): the graph can be fitted to what it reads.
  const reads = kind.role === 'source' && reading.parsed !== undefined && kind.datasets(reading.parsed).length > 0;

  return (
    <aside className="inspector" aria-label="Inspector">
      <h3>
        {kind.title} <code>{node.id}</code>
      </h3>
      <p className="muted">{kind.doc}</p>
      {called && <p className="muted">It calls a block: this call has weights of its own, sized by its block values.</p>}
      <label>
        Label
        <input aria-label="Label" defaultValue={node.label ?? ''} key={`${node.id}-label`} onBlur={(e) => onChange({ label: e.target.value })} />
      </label>
      {paramFields(kind)
        .filter(({ schema }) => schema.widget !== 'block-args' || called)
        .map(({ key, title, schema: field }) => (
        <label key={key} className={[issues.has(key) ? 'invalid' : '', field.type === 'boolean' ? 'check' : ''].join(' ').trim() || undefined} title={field.description}>
          {field.widget === 'block-args' ? 'Block values' : title}
          {renderField({ doc, datasets, block, called }, key, field, values[key], (v) => set(key, v))}
          {issues.has(key) && <small className="error" role="alert">{issues.get(key)}</small>}
        </label>
      ))}
      {issues.has('') && <p className="error" role="alert">{issues.get('')}</p>}
      {reads && (
        <button onClick={onFit} title="Set the sizes of the layers tied to the data (inputs, outputs, reshapes, channels) to this data's, listing each change">
          Fit the graph to this data
        </button>
      )}
    </aside>
  );
}

interface FieldContext {
  doc: GraphDoc;
  datasets: readonly DatasetChoice[];
  /** The block the node sits in. */
  block?: Network['block'];
  /** The block a call calls. */
  called?: Network['block'];
}

function renderField({ doc, datasets, block, called }: FieldContext, key: string, field: FieldSchema, value: unknown, set: (v: unknown) => void) {
  if (field.widget === 'block-args' && called) {
    const args = (value ?? {}) as Record<string, unknown>;
    return (
      <span className="block-args">
        {called.params.map((p) => (
          <label key={p.name}>
            {p.name}
            <input
              aria-label={`${p.name} (block value)`}
              type="number"
              key={`${p.name}-${String(args[p.name])}`}
              placeholder={String(p.default)}
              defaultValue={typeof args[p.name] === 'number' ? (args[p.name] as number) : ''}
              // Emptied: the block's default.
              onBlur={(e) => set(Object.fromEntries(Object.entries({ ...args, [p.name]: e.target.value === '' ? undefined : Number(e.target.value) }).filter(([, v]) => v !== undefined)))}
            />
          </label>
        ))}
      </span>
    );
  }
  if (field.widget === 'dataset') {
    // The whole choice is saved (size, channels, classes), so shapes follow the data without a lookup.
    const current = value as DatasetChoice | undefined;
    const known = datasets.some((d) => d.id === current?.id);
    return (
      <select aria-label={key} value={current?.id ?? ''} onChange={(e) => set(datasets.find((d) => d.id === e.target.value))}>
        {!known && <option value={current?.id ?? ''}>{current ? `${current.name} (not in your library)` : 'Choose a dataset'}</option>}
        {datasets.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name} ({d.height}x{d.width}x{d.channels})
          </option>
        ))}
      </select>
    );
  }
  if (field.widget === 'network') {
    return (
      <select aria-label={key} value={String(value ?? '')} onChange={(e) => set(e.target.value)}>
        {doc.networks.map((n) => (
          <option key={n.id} value={n.id}>
            {n.name}
          </option>
        ))}
      </select>
    );
  }
  if (field.widget === 'networks') {
    const chosen = new Set(Array.isArray(value) ? (value as string[]) : []);
    return (
      <span className="checks">
        {doc.networks.map((n) => (
          <label key={n.id}>
            <input type="checkbox" checked={chosen.has(n.id)} onChange={(e) => set(doc.networks.map((x) => x.id).filter((id) => (id === n.id ? e.target.checked : chosen.has(id))))} />
            {n.name}
          </label>
        ))}
      </span>
    );
  }
  if (field.enum) {
    return (
      <select aria-label={key} value={String(value)} onChange={(e) => set(e.target.value)}>
        {field.enum.map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  }
  if (field.type === 'boolean') return <input aria-label={key} type="checkbox" checked={Boolean(value)} onChange={(e) => set(e.target.checked)} />;
  if (field.type === 'array') {
    // Inside a block an entry may be one of its parameters, by name.
    const names = new Set(block?.params.map((p) => p.name));
    const entry = (text: string): number | ParamRef => (names.has(text.trim()) ? { param: text.trim() } : text.trim() === '' ? NaN : Number(text));
    return (
      <input
        aria-label={key}
        key={`${key}-${JSON.stringify(value)}`}
        title={names.size ? `Numbers, or parameters of the block (${[...names].join(', ')})` : undefined}
        defaultValue={Array.isArray(value) ? value.map((v) => (isParamRef(v) ? v.param : v)).join(', ') : ''}
        onBlur={(e) => set(e.target.value.split(',').map(entry).filter((n, i, all) => !(typeof n === 'number' && Number.isNaN(n) && all.length === 1)))}
      />
    );
  }
  if (field.type === 'number' || field.type === 'integer') {
    const input = numberInput(key, field, value, set);
    if (!block?.params.length) return input;
    const bound = isParamRef(value) ? value.param : '';
    return (
      <span className="bindable">
        {bound ? <input aria-label={key} value={`= ${bound}`} readOnly /> : input}
        <select
          aria-label={`${key} from parameter`}
          title="Read this field from a parameter of the block: each call gives its own value"
          value={bound}
          onChange={(e) => set(e.target.value ? { param: e.target.value } : block.params.find((p) => p.name === bound)?.default)}
        >
          <option value="">number</option>
          {block.params.map((p) => (
            <option key={p.name} value={p.name}>
              = {p.name}
            </option>
          ))}
        </select>
      </span>
    );
  }
  return <input aria-label={key} key={`${key}-${String(value)}`} defaultValue={String(value ?? '')} onBlur={(e) => set(e.target.value)} />;
}

function numberInput(key: string, field: FieldSchema, value: unknown, set: (v: unknown) => void) {
  return (
    <input
      aria-label={key}
      type="number"
      step={field.type === 'integer' ? 1 : 'any'}
      key={`${key}-${String(value)}`}
      defaultValue={typeof value === 'number' ? value : ''}
      // Emptied is a value of its own (refused: "needs a value"), never a silent return to the default.
      onBlur={(e) => set(e.target.value === '' ? null : Number(e.target.value))}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
      }}
    />
  );
}
