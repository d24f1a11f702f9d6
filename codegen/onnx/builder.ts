import { onnx } from 'onnx-proto';
import { buildError, OnnxBuildError } from './errors';
import { float32Bytes, int64Bytes, sizeOf, type HostTensor } from './tensor';

/**
 * Opset 17 (IR version 8, ONNX 1.12): the newest that Debian's python3-onnx
 * 1.12 checker knows, and one onnxruntime 1.31 runs (it reads opsets 7 to
 * 23). The pinned onnx-proto 8.0.1 writes IR 8's messages.
 */
export const OPSET = 17;
export const IR_VERSION = 8;

/** One dimension of a value: a length, or null for the batch axis (dim_param "batch" at the graph's boundary). */
export type Dim = number | null;
export const BATCH = 'batch';

/**
 * Where a rank-4 value keeps its channels. Netloom's values are NHWC (tfjs);
 * ONNX's Conv, ConvTranspose and MaxPool read NCHW. A value records its
 * physical layout, its shape stays in Netloom's order, and a Transpose is
 * written only where a consumer needs the other layout: a conv stack stays
 * NCHW from its first conv to a flatten, a reshape or the graph's output.
 */
export type Layout = 'nhwc' | 'nchw';

export interface ValueInfo {
  /** In Netloom's order (NHWC for images), whatever the layout. */
  readonly shape: readonly Dim[];
  readonly layout: Layout;
}

/** A node attribute with its ONNX type stated (an int 1 and a float 1.0 are different attributes). */
export type Attribute =
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'string'; readonly value: string };

export const int = (value: number): Attribute => ({ type: 'int', value });
export const float = (value: number): Attribute => ({ type: 'float', value });
export const ints = (value: readonly number[]): Attribute => ({ type: 'ints', value });
export const floats = (value: readonly number[]): Attribute => ({ type: 'floats', value });
export const string = (value: string): Attribute => ({ type: 'string', value });

const NCHW_FROM_NHWC = [0, 3, 1, 2];
const NHWC_FROM_NCHW = [0, 2, 3, 1];

/** The shape as the tensor is stored: a rank-4 NCHW value has its channels second. */
export function physicalShape(info: ValueInfo): Dim[] {
  const s = info.shape;
  return info.layout === 'nchw' && s.length === 4 ? [s[0]!, s[3]!, s[1]!, s[2]!] : [...s];
}

export interface BuilderOptions {
  /** The graph's name (a network's name). */
  name: string;
  docString?: string;
  producerVersion?: string;
}

/** A node's single output: its name hint, shape and layout. */
export interface NodeOutput {
  hint: string;
  shape: readonly Dim[];
  layout?: Layout;
}

/**
 * Builds one ONNX model: graph inputs and outputs named as in Netloom's
 * graph, float32 initializers, nodes with typed attributes, and unique value
 * names. Writers refer to values by the names it returns; it remembers each
 * value's shape and layout so op helpers need nothing else.
 */
export class OnnxBuilder {
  private readonly values = new Map<string, ValueInfo>();
  /** Every name in use or promised (values, graph outputs, nodes): ONNX wants them unique. */
  private readonly taken = new Set<string>();
  private readonly inputs: string[] = [];
  private readonly outputs: string[] = [];
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  /** `${value}:${layout}` -> the value transposed to that layout, written once however many nodes read it. */
  private readonly transposed = new Map<string, string>();
  /** One initializer per weight tensor: two calls of a network inside the exported one share its weights. */
  private readonly weights = new WeakMap<HostTensor, string>();

  constructor(private readonly options: BuilderOptions) {}

  /** Keeps a name free for a later `input` or `output` (a graph's output names are known before its nodes). */
  reserve(name: string): void {
    if (!name) buildError('name', 'an ONNX graph input or output needs a non-empty name');
    this.taken.add(name);
  }

  /** A unique name from a hint: `hint`, else `hint_1`, `hint_2`... */
  fresh(hint: string): string {
    const base = hint || 'value';
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }

  has(value: string): boolean {
    return this.values.has(value);
  }

  info(value: string): ValueInfo {
    return this.values.get(value) ?? buildError('value', `no value named "${value}" in this model`);
  }

  shape(value: string): readonly Dim[] {
    return this.info(value).shape;
  }

  /** A graph input, NHWC as Netloom feeds it; null dims become the dynamic batch axis. */
  input(name: string, shape: readonly Dim[]): string {
    if (this.values.has(name) || this.outputs.includes(name)) buildError('name', `"${name}" is already a value of this model`);
    if (shape.slice(1).includes(null)) buildError('shape', `input "${name}" [${shape.join(', ')}]: only the first dimension may be the batch`);
    this.reserve(name);
    this.values.set(name, { shape: [...shape], layout: 'nhwc' });
    this.inputs.push(name);
    return name;
  }

  /** Makes `value` the graph output `name`, in Netloom's NHWC layout. */
  output(name: string, value: string): void {
    if (this.values.has(name) || this.outputs.includes(name)) buildError('name', `"${name}" is already a value of this model`);
    this.reserve(name);
    const logical = this.inLayout(value, 'nhwc');
    this.nodes.push({ opType: 'Identity', input: [logical], output: [name], name: this.fresh(`output_${name}`) });
    this.values.set(name, { shape: this.info(logical).shape, layout: 'nhwc' });
    this.outputs.push(name);
  }

  /** A float32 initializer (a weight, or a constant an op needs); the same tensor object gives the same initializer. */
  weight(hint: string, tensor: HostTensor): string {
    const known = this.weights.get(tensor);
    if (known) return known;
    if (tensor.data.length !== sizeOf(tensor.shape)) buildError('shape', `weight "${hint}": ${tensor.data.length} values for shape [${tensor.shape.join(', ')}]`);
    const name = this.fresh(hint);
    this.initializers.push({ name, dims: [...tensor.shape], dataType: onnx.TensorProto.DataType.FLOAT, rawData: float32Bytes(tensor.data) });
    this.values.set(name, { shape: [...tensor.shape], layout: 'nhwc' });
    this.weights.set(tensor, name);
    return name;
  }

  /** A float32 scalar constant (shape []), for elementwise arithmetic. */
  scalar(hint: string, value: number): string {
    return this.weight(hint, { data: Float32Array.of(value), shape: [] });
  }

  /** An int64 vector constant: the shape, axes and sizes inputs of Reshape, Unsqueeze, Expand and Resize. */
  int64s(hint: string, values: readonly number[]): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: int64Bytes(values) });
    this.values.set(name, { shape: [values.length], layout: 'nhwc' });
    return name;
  }

  /**
   * One node with one output. Inputs must be values of this model ('' for an
   * omitted optional input); the caller states the output's shape in
   * Netloom's order and its layout (default NHWC).
   */
  node(opType: string, inputs: readonly string[], output: NodeOutput, attributes: Readonly<Record<string, Attribute>> = {}): string {
    for (const input of inputs) if (input !== '') this.info(input);
    const name = this.fresh(output.hint);
    this.nodes.push({
      opType,
      input: [...inputs],
      output: [name],
      name: this.fresh(`${opType}_${name}`),
      attribute: Object.entries(attributes).map(([key, a]) => attributeProto(key, a)),
    });
    this.values.set(name, { shape: [...output.shape], layout: output.layout ?? 'nhwc' });
    return name;
  }

  /** The value in the given layout: itself, or a Transpose of it (one per value and layout). Only rank-4 values have a layout. */
  inLayout(value: string, layout: Layout): string {
    const info = this.info(value);
    if (info.shape.length !== 4 || info.layout === layout) return value;
    const key = `${value}:${layout}`;
    const known = this.transposed.get(key);
    if (known) return known;
    const perm = layout === 'nchw' ? NCHW_FROM_NHWC : NHWC_FROM_NCHW;
    const moved = this.node('Transpose', [value], { hint: `${value}_${layout}`, shape: info.shape, layout }, { perm: ints(perm) });
    this.transposed.set(key, moved);
    return moved;
  }

  /** The model as ONNX protobuf bytes. */
  encode(): Uint8Array {
    if (this.outputs.length === 0) buildError('value', `model "${this.options.name}" has no outputs`);
    const model: onnx.IModelProto = {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'netloom',
      producerVersion: this.options.producerVersion ?? '',
      graph: {
        name: this.options.name,
        docString: this.options.docString ?? '',
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs.map((name) => this.valueInfo(name)),
        output: this.outputs.map((name) => this.valueInfo(name)),
      },
    };
    const problem = onnx.ModelProto.verify(model);
    if (problem) throw new OnnxBuildError('value', `the model does not fit ONNX's schema: ${problem}`);
    return onnx.ModelProto.encode(model).finish();
  }

  private valueInfo(name: string): onnx.IValueInfoProto {
    const dims = physicalShape(this.info(name)).map((d) => (d === null ? { dimParam: BATCH } : { dimValue: d }));
    return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims } } } };
  }
}

function attributeProto(name: string, a: Attribute): onnx.IAttributeProto {
  const Type = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case 'int':
      if (!Number.isSafeInteger(a.value)) buildError('value', `attribute ${name}: ${a.value} is not an integer`);
      return { name, type: Type.INT, i: a.value };
    case 'float':
      return { name, type: Type.FLOAT, f: a.value };
    case 'ints':
      if (!a.value.every(Number.isSafeInteger)) buildError('value', `attribute ${name}: [${a.value.join(', ')}] are not all integers`);
      return { name, type: Type.INTS, ints: [...a.value] };
    case 'floats':
      return { name, type: Type.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: Type.STRING, s: new TextEncoder().encode(a.value) };
  }
}
