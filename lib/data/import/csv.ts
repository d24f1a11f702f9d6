import { parse } from 'csv-parse/sync';
import type { ImportLimits } from '../limits';
import { fail, ImportError, readAll, splitOf, type InputFile } from './files';
import type { ImportOptions } from './options';
import { mergeRanges, pixelScale, RangeScanner, toBytes, type FoundRange, type PixelScale } from './range';
import { assemble, inMemory, type ImportedData, type SplitData } from './split';

/**
 * CSV of pixel rows: one image per row, one column per pixel value, and
 * perhaps a label column. With a header (Kaggle's MNIST), the label is the
 * column named label, class, y or target; without one (a first row of
 * numbers only, as scikit-learn's digits ship), or a header naming no label,
 * the column count tells: all columns a square image (784 = 28x28, 3072 =
 * 32x32 RGB) is unlabelled, all but one the first or last column is the
 * label (the one that looks like class indices). A declared label column or
 * image shape overrides the guess, and what was guessed is said in the
 * import's notes. Values become bytes by one rule for the dataset (range.ts).
 * A file named test is the test split. Parsed with csv-parse.
 */
export const isCsv = (path: string) => /\.csv$/i.test(path);

const LABEL_COLUMN = /^(label|labels|class|y|target)$/i;

type CsvOptions = Pick<ImportOptions, 'range' | 'label' | 'shape'>;

export async function importCsv(files: readonly InputFile[], options: CsvOptions, limits: ImportLimits): Promise<ImportedData> {
  const splits: { train?: SplitData; test?: SplitData } = {};
  const names = new Set<string>();
  const tables: Table[] = [];
  // One scale for every file, known once all are read (below): sources run only after this function returns.
  let scale: PixelScale | undefined;
  for (const file of files) {
    if (!isCsv(file.path)) fail(`${file.path}: not a CSV file, and a dataset comes from one kind of file`);
    const split = splitOf(file.path);
    if (splits[split]) fail(`${file.path}: a second ${split} file beside ${splits[split]!.source}`);
    const table = read(file.path, await readAll(file), options, () => scale!);
    splits[split] = table.data;
    table.names.forEach((n) => names.add(n));
    tables.push(table);
  }
  // Named classes (text labels) become indices in sorted order; numeric labels are indices already.
  const classNames = tables.some((t) => t.names.length > 0) ? [...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })) : undefined;
  if (classNames) {
    const index = new Map(classNames.map((n, i) => [n, i]));
    for (const table of tables) table.data.labels = Uint8Array.from(table.rawLabels, (l) => index.get(l) ?? 0);
  }
  const imported = assemble('csv', splits, limits, classNames);
  scale = pixelScale(mergeRanges(tables.map((t) => t.range)), options.range);
  return { ...imported, notes: [...tables.flatMap((t) => t.notes), ...(scale.note ? [scale.note] : [])] };
}

interface Table {
  data: SplitData;
  rawLabels: string[];
  names: string[];
  range: FoundRange;
  notes: string[];
}

const isNumber = (cell: string) => cell !== '' && Number.isFinite(Number(cell));
/** A cell that makes a first row a header: text (an empty cell is a missing value, not a name). */
const isWord = (cell: string) => cell !== '' && !Number.isFinite(Number(cell));

type Shape = { height: number; width: number; channels: number };

/**
 * Reads one CSV file in two passes over csv-parse's records, each record
 * handled and dropped as it comes (on_record returns null), so memory stays
 * the size of the pixels however many cells the file has: the first pass
 * checks every cell, finds the layout and the values' range; the second, run
 * when the pixels are written (after the import's limits are checked), fills
 * them.
 */
function read(path: string, bytes: Uint8Array, options: CsvOptions, scaleOf: () => PixelScale): Table {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const each = (visit: (cells: string[], index: number) => void, to?: number) => {
    let index = 0;
    try {
      parse(text, {
        skip_empty_lines: true,
        trim: true,
        relax_column_count: true,
        bom: true,
        ...(to ? { to } : {}),
        on_record: (cells: string[]) => {
          visit(cells, index++);
          return null;
        },
      });
    } catch (error) {
      if (error instanceof ImportError) throw error;
      fail(`${path}: not readable CSV (${(error as Error).message})`);
    }
  };
  const firstRows: string[][] = [];
  each((cells) => void firstRows.push(cells), 2);
  if (firstRows.length === 0) fail(`${path}: empty`);
  const layout = headerOf(firstRows[0]!, firstRows[1]);
  const header = layout.header ? firstRows[0] : undefined;
  const columns = firstRows[layout.header ? 1 : 0]?.length ?? header!.length;
  const line = (index: number) => index + 1;
  const column = (c: number) => header?.[c] ?? String(c + 1);
  const where = (index: number, c: number) => `${path} row ${line(index)}, column ${column(c)}`;
  if (header && firstRows.length === 1) fail(`${path}: a header and no rows`);
  const plan = labelPlan(path, header, columns, layout.wordsAt, options);

  // Pass 1: every cell checked, the labels kept, the pixels' range found. The first and last columns are kept apart while either may be the label.
  const undecided = plan.label === 'first-or-last';
  // A scanner names where a new extreme lies from the record read now and the column it is told.
  let current = 0;
  const scanner = () => new RangeScanner((c) => where(current, c));
  const edges = undecided ? [0, columns - 1].map((c) => ({ c, raw: [] as string[], distinct: new Set<string>(), range: scanner(), bad: undefined as string | undefined })) : [];
  const pixelRange = scanner();
  const rawLabels: string[] = [];
  let rows = 0;
  each((cells, index) => {
    if (index === 0 && header) return;
    if (cells.length !== columns) fail(`${path} row ${line(index)}: ${cells.length} columns, the first row of data has ${columns}`);
    current = index;
    cells.forEach((cell, c) => {
      if (c === plan.label) return void rawLabels.push(cell);
      const edge = undecided && (c === 0 || c === columns - 1) ? edges[c === 0 ? 0 : 1]! : undefined;
      if (edge) {
        edge.raw.push(cell);
        if (edge.distinct.size <= 256) edge.distinct.add(cell);
        if (!isNumber(cell)) edge.bad ??= `${where(index, c)}: "${cell}" is not a pixel value`;
        else edge.range.see(Number(cell), c);
        return;
      }
      if (!isNumber(cell)) fail(`${where(index, c)}: "${cell}" is not a pixel value (0-255, or 0-1)`);
      pixelRange.see(Number(cell), c);
    });
    rows++;
  });
  if (rows === 0) fail(header ? `${path}: a header and no rows` : `${path}: empty`);

  const notes: string[] = [];
  let labelAt = typeof plan.label === 'number' ? plan.label : -1;
  let found: FoundRange = pixelRange;
  if (undecided) {
    const pick = pickLabel(edges);
    if (pick === undefined) {
      fail(
        `${path}: ${columns} columns, one more than a ${describe(plan.shape!)} image, but neither its first nor its last column holds class indices (whole numbers 0-255); declare the label column (label first, last or none) or the image shape`,
      );
    }
    const [label, pixelsEdge] = pick === 0 ? [edges[0]!, edges[1]!] : [edges[1]!, edges[0]!];
    if (pixelsEdge.bad) fail(`${pixelsEdge.bad} (0-255, or 0-1)`);
    labelAt = label.c;
    rawLabels.push(...label.raw);
    found = mergeRanges([pixelRange, pixelsEdge.range]);
    const classes = new Set(label.raw).size;
    notes.push(
      `${path}: ${header ? 'no column named label, class, y or target' : 'no header (its first row is numbers)'}; its ${pick === 0 ? 'first' : 'last'} column (${column(label.c)}) taken as the label (${classes} class${classes === 1 ? '' : 'es'}) and the other ${columns - 1} as ${describe(plan.shape!)} images: declare the label column (label first, last or none) to read it otherwise`,
    );
  } else if (plan.note) notes.push(plan.note);
  const values = columns - (labelAt >= 0 ? 1 : 0);
  const { height, width, channels } = plan.shape ?? shapeOf(values, options.shape) ?? fail(`${path}: ${values} pixel columns is not a square image (784 = 28x28 greyscale, 3072 = 32x32 RGB); declare the image shape (e.g. 8x8)`);
  if (height * width * channels !== values) fail(`${path}: ${values} pixel columns, but a ${describe({ height, width, channels })} image has ${height * width * channels}`);

  const fill = () => {
    const scale = scaleOf();
    const images = new Uint8Array(rows * values);
    const row = new Float64Array(values);
    let r = 0;
    each((cells, index) => {
      if (index === 0 && header) return;
      let k = 0;
      cells.forEach((cell, c) => {
        if (c !== labelAt) row[k++] = Number(cell);
      });
      images.set(toBytes(row, scale), r * values);
      r++;
    });
    return images;
  };
  const numeric = rawLabels.every((l) => /^\d+$/.test(l));
  const dataRow = (r: number) => r + 1 + (header ? 1 : 0);
  const labels = labelAt >= 0 && numeric ? numericLabels(rawLabels, path, dataRow) : undefined;
  const pixels = async function* () {
    yield* inMemory(fill())();
  };
  const data: SplitData = { source: path, count: rows, height, width, channels, pixels, ...(labelAt >= 0 ? { labels: labels ?? new Uint8Array(rows) } : {}) };
  return { data, rawLabels, names: labelAt >= 0 && !numeric ? [...new Set(rawLabels)] : [], range: found, notes };
}

/**
 * Whether the first row is a header: it is unless every cell is a number, or
 * its one word is at its first or last column and the second row has a word
 * there too (data whose labels are names). `wordsAt` is that label column.
 */
function headerOf(first: string[], second: string[] | undefined): { header: boolean; wordsAt?: number } {
  const words = first.flatMap((cell, c) => (isWord(cell) ? [c] : []));
  if (words.length === 0) return { header: false };
  const c = words[0]!;
  const edge = words.length === 1 && (c === 0 || c === first.length - 1);
  if (edge && second && second.length === first.length && isWord(second[c]!) && second.filter(isWord).length === 1) return { header: false, wordsAt: c };
  return { header: true };
}

/** A row's image from its count of values: the declared shape, or a square of grey or RGB pixels. */
function shapeOf(values: number, declared: CsvOptions['shape']): Shape | undefined {
  if (declared) return values === declared.height * declared.width * declared.channels ? declared : undefined;
  const side = Math.round(Math.sqrt(values));
  if (side * side === values) return { height: side, width: side, channels: 1 };
  const rgb = Math.round(Math.sqrt(values / 3));
  if (rgb * rgb * 3 === values) return { height: rgb, width: rgb, channels: 3 };
  return undefined;
}

const describe = (s: Shape) => `${s.height}x${s.width}${s.channels === 1 ? ' greyscale' : ' RGB'}`;

/**
 * Which column holds the labels, as far as the header, the options and the
 * column count tell before the cells are read: a column (-1: none), or the
 * first or the last (decided from their values). `shape` is known when the
 * count decided it.
 */
function labelPlan(path: string, header: string[] | undefined, columns: number, wordsAt: number | undefined, options: CsvOptions): { label: number | 'first-or-last'; shape?: Shape; note?: string } {
  const declared = options.label;
  if (declared === 'none') return { label: -1 };
  if (declared === 'first') return { label: 0 };
  if (declared === 'last') return { label: columns - 1 };
  if (declared) {
    if (!header) return fail(`${path}: has no header, so no column is named "${declared.name}": declare the label column as first, last or none`);
    const at = header.indexOf(declared.name);
    if (at < 0) fail(`${path}: no column named "${declared.name}" (its columns: ${header.slice(0, 5).join(', ')}${header.length > 5 ? ', …' : ''})`);
    return { label: at };
  }
  if (wordsAt !== undefined) {
    return { label: wordsAt, note: `${path}: no header (its first row is data); its ${wordsAt === 0 ? 'first' : 'last'} column, of names, taken as the label` };
  }
  const named = header?.findIndex((c) => LABEL_COLUMN.test(c)) ?? -1;
  if (named >= 0) return { label: named };
  const all = shapeOf(columns, options.shape);
  if (all) {
    const why = header ? 'no column named label, class, y or target' : 'no header (its first row is numbers)';
    return { label: -1, shape: all, note: `${path}: ${why}; its ${columns} columns read as one ${describe(all)} image per row, without labels` };
  }
  const rest = columns > 1 ? shapeOf(columns - 1, options.shape) : undefined;
  if (rest) return { label: 'first-or-last', shape: rest };
  const wanted = options.shape ? `the declared ${describe(options.shape)} shape has ${options.shape.height * options.shape.width * options.shape.channels} values` : 'neither all of them nor all but one make a square image (784 = 28x28 greyscale, 3072 = 32x32 RGB)';
  return fail(`${path}: ${columns} columns, and ${wanted}; declare the image shape (e.g. 8x8) and the label column (first, last or none)`);
}

/**
 * The first (0) or last (1) column as the label, whichever looks like class
 * indices: whole numbers 0-255 taking at least two values, the fewer values
 * the likelier (a border pixel is often constant; a pixel of a photo takes
 * many values). The last on a tie, as most libraries write it.
 */
function pickLabel(edges: { distinct: Set<string>; range: FoundRange; bad?: string }[]): 0 | 1 | undefined {
  const classLike = (e: (typeof edges)[number]) => !e.bad && e.range.whole && e.range.min >= 0 && e.range.max <= 255;
  const [first, last] = edges as [(typeof edges)[number], (typeof edges)[number]];
  const varied = (e: typeof first) => classLike(e) && e.distinct.size >= 2;
  if (varied(first) && varied(last)) return first.distinct.size < last.distinct.size ? 0 : 1;
  if (varied(last)) return 1;
  if (varied(first)) return 0;
  if (classLike(last)) return 1;
  if (classLike(first)) return 0;
  return undefined;
}

function numericLabels(raw: readonly string[], path: string, row: (r: number) => number): Uint8Array {
  return Uint8Array.from(raw, (l, r) => {
    const v = Number(l);
    return v < 256 ? v : fail(`${path} row ${row(r)}: label ${l} is not a class index (0 to 255)`);
  });
}
