import { parse } from 'csv-parse/sync';
import type { ImportLimits } from '../limits';
import { fail, ImportError, readAll, splitOf, type InputFile } from './files';
import { assemble, inMemory, type ImportedData, type SplitData } from './split';

/**
 * CSV of pixel rows, as Kaggle ships MNIST-style data: a header, a label
 * column (named label, class or y) and one column per pixel (0-255, or
 * [0, 1]). Rows are square images, greyscale (784 = 28x28) or RGB (3 values
 * per pixel). A file named test is the test split. Parsed with csv-parse.
 */
export const isCsv = (path: string) => /\.csv$/i.test(path);

const LABEL_COLUMN = /^(label|labels|class|y|target)$/i;

export async function importCsv(files: readonly InputFile[], limits: ImportLimits): Promise<ImportedData> {
  const splits: { train?: SplitData; test?: SplitData } = {};
  const names = new Set<string>();
  const parsed: ReturnType<typeof read>[] = [];
  for (const file of files) {
    if (!isCsv(file.path)) fail(`${file.path}: not a CSV file, and a dataset comes from one kind of file`);
    const split = splitOf(file.path);
    if (splits[split]) fail(`${file.path}: a second ${split} file beside ${splits[split]!.source}`);
    const table = read(file.path, await readAll(file));
    splits[split] = table.data;
    table.names.forEach((n) => names.add(n));
    parsed.push(table);
  }
  // Named classes (text labels) become indices in sorted order; numeric labels are indices already.
  const classNames = parsed.some((t) => t.names.length > 0) ? [...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })) : undefined;
  if (classNames) {
    const index = new Map(classNames.map((n, i) => [n, i]));
    for (const table of parsed) table.data.labels = Uint8Array.from(table.rawLabels, (l) => index.get(l) ?? 0);
  }
  return assemble('csv', splits, limits, classNames);
}

/**
 * Reads one CSV file in two passes over csv-parse's records, each record
 * handled and dropped as it comes (on_record returns null), so memory stays
 * the size of the pixels however many cells the file has: the first pass
 * checks every cell and finds the layout and the value range; the second,
 * run when the pixels are written (after the import's limits are checked),
 * fills them.
 */
function read(path: string, bytes: Uint8Array) {
  const file = { path };
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const each = (visit: (cells: string[], index: number) => void) => {
    let index = 0;
    try {
      parse(text, {
        skip_empty_lines: true,
        trim: true,
        relax_column_count: true,
        bom: true,
        on_record: (cells: string[]) => {
          visit(cells, index++);
          return null;
        },
      });
    } catch (error) {
      if (error instanceof ImportError) throw error;
      fail(`${file.path}: not readable CSV (${(error as Error).message})`);
    }
  };
  let header: string[] | undefined;
  let labelAt = -1;
  let columns = 0;
  let rows = 0;
  let floats = false;
  const rawLabels: string[] = [];
  const line = (index: number) => index + 1;
  const column = (c: number) => header?.[c] ?? String(c + 1);
  each((cells, index) => {
    if (index === 0 && cells.some((cell) => cell !== '' && !Number.isFinite(Number(cell)))) {
      header = cells;
      labelAt = header.findIndex((c) => LABEL_COLUMN.test(c));
      return;
    }
    if (columns === 0) columns = cells.length;
    if (cells.length !== columns) fail(`${file.path} row ${line(index)}: ${cells.length} columns, the first row has ${columns}`);
    cells.forEach((cell, c) => {
      if (c === labelAt) return void rawLabels.push(cell);
      const v = Number(cell);
      if (cell === '' || !Number.isFinite(v) || v < 0 || v > 255) fail(`${file.path} row ${line(index)}, column ${column(c)}: "${cell}" is not a pixel value (0-255, or 0-1)`);
      if (!Number.isInteger(v)) floats = true;
    });
    rows++;
  });
  if (rows === 0) fail(header ? `${file.path}: a header and no rows` : `${file.path}: empty`);
  const values = columns - (labelAt >= 0 ? 1 : 0);
  const side = Math.round(Math.sqrt(values));
  const rgbSide = Math.round(Math.sqrt(values / 3));
  const [height, width, channels] = side * side === values ? [side, side, 1] : rgbSide * rgbSide * 3 === values ? [rgbSide, rgbSide, 3] : fail(`${file.path}: ${values} pixel columns is not a square image (784 = 28x28 greyscale, 3072 = 32x32 RGB)`);
  // Values with fractions, none above 1: the file holds [0, 1] pixels.
  const fill = () => {
    const images = new Uint8Array(rows * values);
    let row = 0;
    each((cells, index) => {
      if (index === 0 && header) return;
      let k = 0;
      cells.forEach((cell, c) => {
        if (c === labelAt) return;
        const v = Number(cell);
        if (floats && v > 1) fail(`${file.path} row ${line(index)}, column ${column(c)}: ${cell} among values in [0, 1]: pixels are either 0-255 or all in [0, 1]`);
        images[row * values + k++] = floats ? Math.round(v * 255) : v;
      });
      row++;
    });
    return images;
  };
  const numeric = rawLabels.every((l) => /^\d+$/.test(l));
  const dataRow = (r: number) => r + 1 + (header ? 1 : 0);
  const labels = labelAt >= 0 && numeric ? numericLabels(rawLabels, file.path, dataRow) : undefined;
  const pixels = async function* () {
    yield* inMemory(fill())();
  };
  const data: SplitData = { source: file.path, count: rows, height, width, channels, pixels, ...(labelAt >= 0 ? { labels: labels ?? new Uint8Array(rows) } : {}) };
  return { data, rawLabels, names: labelAt >= 0 && !numeric ? [...new Set(rawLabels)] : [] };
}

function numericLabels(raw: readonly string[], path: string, row: (r: number) => number): Uint8Array {
  return Uint8Array.from(raw, (l, r) => {
    const v = Number(l);
    return v < 256 ? v : fail(`${path} row ${row(r)}: label ${l} is not a class index (0 to 255)`);
  });
}
