import { parse } from 'csv-parse/sync';
import { fail, splitOf, type InputFile } from './files';
import { assemble, type ImportedData, type SplitData } from './split';

/**
 * CSV of pixel rows, as Kaggle ships MNIST-style data: a header, a label
 * column (named label, class or y) and one column per pixel (0-255, or
 * [0, 1]). Rows are square images, greyscale (784 = 28x28) or RGB (3 values
 * per pixel). A file named test is the test split. Parsed with csv-parse.
 */
export const isCsv = (path: string) => /\.csv$/i.test(path);

const LABEL_COLUMN = /^(label|labels|class|y|target)$/i;

export function importCsv(files: readonly InputFile[]): ImportedData {
  const splits: { train?: SplitData; test?: SplitData } = {};
  const names = new Set<string>();
  const parsed = files.map((file) => {
    if (!isCsv(file.path)) fail(`${file.path}: not a CSV file, and a dataset comes from one kind of file`);
    const split = splitOf(file.path);
    if (splits[split]) fail(`${file.path}: a second ${split} file beside ${splits[split]!.source}`);
    const table = read(file);
    splits[split] = table.data;
    table.names.forEach((n) => names.add(n));
    return table;
  });
  // Named classes (text labels) become indices in sorted order; numeric labels are indices already.
  const classNames = parsed.some((t) => t.names.length > 0) ? [...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })) : undefined;
  if (classNames) {
    const index = new Map(classNames.map((n, i) => [n, i]));
    for (const table of parsed) table.data.labels = Uint8Array.from(table.rawLabels, (l) => index.get(l) ?? 0);
  }
  return assemble('csv', splits, classNames);
}

function read(file: InputFile) {
  let rows: string[][];
  try {
    rows = parse(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength), { skip_empty_lines: true, trim: true, relax_column_count: true, bom: true });
  } catch (error) {
    return fail(`${file.path}: not readable CSV (${(error as Error).message})`);
  }
  if (rows.length === 0) fail(`${file.path}: empty`);
  const header = rows[0]!.some((cell) => cell !== '' && !Number.isFinite(Number(cell))) ? rows.shift()! : undefined;
  if (rows.length === 0) fail(`${file.path}: a header and no rows`);
  const labelAt = header ? header.findIndex((c) => LABEL_COLUMN.test(c)) : -1;
  const columns = rows[0]!.length;
  const values = columns - (labelAt >= 0 ? 1 : 0);
  const side = Math.round(Math.sqrt(values));
  const rgbSide = Math.round(Math.sqrt(values / 3));
  const [height, width, channels] = side * side === values ? [side, side, 1] : rgbSide * rgbSide * 3 === values ? [rgbSide, rgbSide, 3] : fail(`${file.path}: ${values} pixel columns is not a square image (784 = 28x28 greyscale, 3072 = 32x32 RGB)`);
  const images = new Uint8Array(rows.length * values);
  const rawLabels: string[] = [];
  const row = (r: number) => r + 1 + (header ? 1 : 0);
  let floats = false;
  for (let r = 0; r < rows.length; r++) {
    const cells = rows[r]!;
    if (cells.length !== columns) fail(`${file.path} row ${row(r)}: ${cells.length} columns, the first row has ${columns}`);
    let k = 0;
    for (let c = 0; c < cells.length; c++) {
      if (c === labelAt) {
        rawLabels.push(cells[c]!);
        continue;
      }
      const v = Number(cells[c]);
      if (cells[c] === '' || !Number.isFinite(v) || v < 0 || v > 255) fail(`${file.path} row ${row(r)}, column ${header?.[c] ?? c + 1}: "${cells[c]}" is not a pixel value (0-255, or 0-1)`);
      if (!Number.isInteger(v)) floats = true;
      images[r * values + k++] = v;
    }
  }
  // Values with fractions, none above 1: the file holds [0, 1] pixels, read again scaled.
  if (floats) {
    for (let r = 0; r < rows.length; r++) {
      let k = 0;
      rows[r]!.forEach((cell, c) => {
        if (c === labelAt) return;
        const v = Number(cell);
        if (v > 1) fail(`${file.path} row ${row(r)}, column ${header?.[c] ?? c + 1}: ${cell} among values in [0, 1]: pixels are either 0-255 or all in [0, 1]`);
        images[r * values + k++] = Math.round(v * 255);
      });
    }
  }
  const numeric = rawLabels.every((l) => /^\d+$/.test(l));
  const labels = labelAt >= 0 && numeric ? numericLabels(rawLabels, file.path, row) : undefined;
  const data: SplitData = { source: file.path, count: rows.length, height, width, channels, images, ...(labelAt >= 0 ? { labels: labels ?? new Uint8Array(rows.length) } : {}) };
  return { data, rawLabels, names: labelAt >= 0 && !numeric ? [...new Set(rawLabels)] : [] };
}

function numericLabels(raw: readonly string[], path: string, row: (r: number) => number): Uint8Array {
  return Uint8Array.from(raw, (l, r) => {
    const v = Number(l);
    return v < 256 ? v : fail(`${path} row ${row(r)}: label ${l} is not a class index (0 to 255)`);
  });
}
