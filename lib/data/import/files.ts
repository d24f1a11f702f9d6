import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { ImportLimits } from '../limits';

/**
 * One file of an import: its path as the user had it (folder/class/x.png,
 * archive.zip/train.csv), its size, and its bytes read as far as asked. An
 * import reads every header first and checks the whole import against its
 * limits before it decodes anything: a file on disk is read, an archive
 * entry inflated, only as far as a check or a decode needs.
 */
export interface InputFile {
  path: string;
  /** Bytes it holds (an archive entry's as its archive declares them). */
  size: number;
  /** `length` bytes from `offset` (fewer at its end). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Why an import is refused: the message names the file (and row or entry) at fault. */
export class ImportError extends Error {}

export const fail = (message: string): never => {
  throw new ImportError(message);
};

/** A file whose bytes are in memory (an upload, an inflated entry). */
export const memoryFile = (path: string, bytes: Uint8Array): InputFile => ({ path, size: bytes.byteLength, read: async (offset, length) => bytes.subarray(offset, offset + length) });

/** All of a file's bytes. */
export const readAll = (file: InputFile): Promise<Uint8Array> => file.read(0, file.size);

/** Bytes read from a file at a time while an archive is read. */
const READ_BYTES = 1 << 20;

/** The largest gzip file inflated: it is inflated in memory (a larger one is unpacked first). */
const GZIP_BYTES = 2 ** 31 - 1;

/** Bytes of every file's head that the header checks read (IDX, NumPy and image headers sit in the first kilobytes). */
export const HEAD_BYTES = 4096;

/** Files that tools leave beside data (macOS resource forks, Finder and Explorer metadata): skipped, never data. */
const isClutter = (path: string) => /(^|\/)(__MACOSX\/|\.[^/]*$|Thumbs\.db$|desktop\.ini$)/i.test(path);

/**
 * The files of an import with archives opened: a .zip becomes its entries
 * (named zip/entry), a .gz its one file (name without .gz), each inflated
 * only when read. The bytes sent and the bytes every archive declares are
 * counted against one budget for the whole import before anything is
 * inflated; an entry that inflates to more than it declared is refused.
 */
export function unpack(files: readonly InputFile[], limits: ImportLimits): Promise<InputFile[]> {
  return new Unpacker(limits).unpack(files);
}

class Unpacker {
  /** Unpacked bytes the import may still declare. */
  private budget: number;
  private out: InputFile[] = [];

  constructor(private limits: ImportLimits) {
    this.budget = limits.unpackedBytes;
  }

  async unpack(files: readonly InputFile[]): Promise<InputFile[]> {
    const sent = files.reduce((sum, f) => sum + f.size, 0);
    if (sent > this.limits.uploadBytes) fail(`${sent} bytes sent: an import takes at most ${this.limits.uploadBytes} bytes`);
    for (const file of files) await this.add(file);
    if (this.out.length === 0) fail('No files to import (an empty folder or archive?)');
    return this.out;
  }

  /** A file, or an archive's files (a NumPy .npz is a zip of .npy files; archives inside archives are opened too). */
  private async add(file: InputFile) {
    if (isClutter(file.path)) return;
    if (/\.(zip|npz)$/i.test(file.path)) return this.zip(file);
    if (/\.gz$/i.test(file.path)) return this.gzip(file);
    if (this.out.length >= this.limits.files) fail(`more than ${this.limits.files} files: an import takes at most ${this.limits.files}`);
    this.out.push(file);
  }

  private spend(file: string, bytes: number) {
    this.budget -= bytes;
    if (this.budget < 0) fail(`${file}: unpacks to more than ${this.limits.unpackedBytes} bytes, the most an import may hold`);
  }

  /**
   * A zip's entries by their declared sizes, read from its central directory
   * (yauzl, reading the archive as far as asked, never whole); each entry
   * inflates when read, as a stream that yauzl checks against its declared size.
   */
  private async zip(file: InputFile) {
    let zip: ZipFile;
    try {
      zip = await yauzl.fromRandomAccessReaderPromise(new FileReader(file), file.size, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false });
    } catch (error) {
      return fail(`${file.path}: not a readable ${/\.npz$/i.test(file.path) ? '.npz' : 'zip'} archive (${(error as Error).message})`);
    }
    const entries: Entry[] = [];
    try {
      for await (const entry of zip.eachEntry()) {
        if (entry.fileName.endsWith('/') || isClutter(entry.fileName)) continue;
        this.spend(file.path, entry.uncompressedSize);
        entries.push(entry);
      }
    } catch (error) {
      if (error instanceof ImportError) throw error;
      fail(`${file.path}: not a readable zip archive (${(error as Error).message})`);
    }
    for (const entry of entries) await this.add(new EntryFile(zip, entry, `${file.path}/${entry.fileName}`));
  }

  /** A gzip file: its size is known only once inflated, within what the budget leaves. */
  private async gzip(file: InputFile) {
    const path = file.path.replace(/\.gz$/i, '');
    let inflated: Uint8Array;
    try {
      // Inflated in memory: at most what the budget leaves, and what one buffer can hold (a larger one is unpacked first).
      inflated = new Uint8Array(gunzipSync(await readAll(file), { maxOutputLength: Math.max(1, Math.min(this.budget, GZIP_BYTES)) }));
    } catch (error) {
      const message = (error as Error).message;
      return fail(/buffer|length|larger/i.test(message) ? `${file.path}: unpacks to more than the ${this.limits.unpackedBytes} bytes an import may hold` : `${file.path}: not a readable gzip file (${message})`);
    }
    this.spend(file.path, inflated.byteLength);
    await this.add(memoryFile(path, inflated));
  }
}

/** An InputFile as yauzl reads archives: a stream of any byte range. */
class FileReader extends yauzl.RandomAccessReader {
  constructor(private file: InputFile) {
    super();
  }

  _readStreamForRange(start: number, end: number): Readable {
    const file = this.file;
    return Readable.from(
      (async function* () {
        for (let at = start; at < end; at += READ_BYTES) yield Buffer.from(await file.read(at, Math.min(READ_BYTES, end - at)));
      })(),
    );
  }
}

/**
 * An entry of a zip, inflated as it is read: a read that moves forward (an
 * import's chunks) continues one inflation, one further back starts it again,
 * and no more than one inflated chunk is held beyond what a read asks for.
 */
class EntryFile implements InputFile {
  readonly size: number;
  private chunks: AsyncIterator<Buffer> | undefined;
  private stream: Readable | undefined;
  /** Inflated bytes not yet read past, and where they start in the entry. */
  private pending = Buffer.alloc(0);
  private start = 0;
  /** The entry's first bytes, once a header check read them. */
  private head: Uint8Array | undefined;

  constructor(
    private zip: ZipFile,
    private entry: Entry,
    readonly path: string,
  ) {
    this.size = entry.uncompressedSize;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.size);
    if (offset >= end) return new Uint8Array();
    // A header check reads the first bytes once: kept, and the inflation stopped (an import may hold many entries).
    if (end <= HEAD_BYTES && this.head && this.head.byteLength >= end) return this.head.subarray(offset, end);
    if (!this.chunks || offset < this.start) await this.restart();
    try {
      while (this.start + this.pending.byteLength < end) {
        const next = await this.chunks!.next();
        if (next.done) fail(`${this.path}: inflates to ${this.start + this.pending.byteLength} bytes where its archive declares ${this.size}`);
        // What lies before this read is let go: reads move forward.
        const kept = this.pending.subarray(Math.max(0, offset - this.start));
        this.start += this.pending.byteLength - kept.byteLength;
        this.pending = Buffer.concat([kept, next.value!]);
      }
    } catch (error) {
      if (error instanceof ImportError) throw error;
      fail(`${this.path}: not a readable zip entry (${(error as Error).message})`);
    }
    const out = new Uint8Array(this.pending.subarray(offset - this.start, end - this.start));
    if (offset === 0 && end <= HEAD_BYTES) {
      this.head = new Uint8Array(this.pending.subarray(0, Math.min(this.pending.byteLength, HEAD_BYTES)));
      this.close();
    } else if (end === this.size) this.close();
    return out;
  }

  /** Stops the inflation (it starts again if read again). */
  private close() {
    this.stream?.destroy();
    this.stream = this.chunks = undefined;
    this.pending = Buffer.alloc(0);
    this.start = 0;
  }

  private async restart() {
    this.stream?.destroy();
    try {
      this.stream = await this.zip.openReadStreamPromise(this.entry);
    } catch (error) {
      fail(`${this.path}: not a readable zip entry (${(error as Error).message})`);
    }
    this.chunks = this.stream![Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    this.pending = Buffer.alloc(0);
    this.start = 0;
  }
}

/** The file name without its folders. */
export const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Which split a file belongs to, by its name: test files say so (MNIST's `t10k-`, `x_test`, `test/`). */
export const splitOf = (path: string): 'train' | 'test' => (/(^|[^a-z])(t10k|test|testing)([^a-z]|$)/i.test(path) ? 'test' : 'train');
