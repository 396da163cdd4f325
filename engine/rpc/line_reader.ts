/** One framed item read from a newline-delimited byte stream. */
export type Line =
  | { kind: "line"; text: string }
  | { kind: "oversized"; bytes: number };

/**
 * A line of at least `largeBytes`, undecoded: its bytes in parts, each in
 * a buffer of its own (they may be transferred), and their total size.
 */
export type LargeLine = { kind: "bytes"; parts: Uint8Array[]; size: number };

/** Options for {@linkcode readLines}. */
export interface ReadLinesOptions {
  /** Longest accepted line in bytes, excluding the newline. */
  maxBytes: number;
  /**
   * Lines of at least this many bytes come as `bytes`, not decoded: the
   * reader then costs them only a scan for the newline and a copy, and
   * whoever takes them may decode them on another thread.
   */
  largeBytes?: number;
}

/** What lines are read from: a stream, or anything that reads chunks. */
type LineSource = ReadableStream<Uint8Array> | {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
};

const NEWLINE = 0x0a;

/** The first block of a line that spans chunks (kept between lines). */
const FIRST_BLOCK_BYTES = 64 * 1024;

/** Each further block of a long line. */
const BLOCK_BYTES = 1024 * 1024;

/**
 * Splits a byte stream into UTF-8 lines. A line longer than `maxBytes` is
 * skipped as it streams past (never held whole in memory) and reported once
 * as `oversized`, so one hostile client cannot make the engine buffer 100 MB.
 *
 * @param stream the bytes, e.g. a socket's or a pipe's readable side
 * @param options the size limits
 * @returns an async iterator of lines and oversize reports (and large
 *   lines, as bytes, when `largeBytes` is given)
 */
export function readLines(
  stream: LineSource,
  options: ReadLinesOptions & { largeBytes: number | undefined },
): AsyncGenerator<Line | LargeLine>;
export function readLines(
  stream: LineSource,
  options: ReadLinesOptions,
): AsyncGenerator<Line>;
export async function* readLines(
  stream: LineSource,
  options: ReadLinesOptions,
): AsyncGenerator<Line | LargeLine> {
  const reader = stream instanceof ReadableStream ? stream.getReader() : stream;
  const decoder = new TextDecoder();
  const large = options.largeBytes ?? Infinity;
  const kept = new LineBuffer();
  let skipping = false;
  let skipped = 0;
  while (true) {
    const { value: chunk, done } = await reader.read();
    if (done) break;
    let start = 0;
    while (start < chunk.length) {
      const end = chunk.indexOf(NEWLINE, start);
      const stop = end === -1 ? chunk.length : end;
      const piece = chunk.subarray(start, stop);
      if (
        end !== -1 && kept.size === 0 && !skipping &&
        piece.length <= options.maxBytes && piece.length < large
      ) {
        // The common case, a whole line inside one chunk: no copy.
        yield { kind: "line", text: decoder.decode(piece) };
        start = end + 1;
        continue;
      }
      if (skipping) {
        skipped += piece.length;
      } else if (kept.size + piece.length > options.maxBytes) {
        skipping = true;
        skipped = kept.size + piece.length;
        kept.clear();
      } else {
        // Copied: the stream may reuse its chunk buffer.
        kept.add(piece);
      }
      if (end === -1) break;
      if (skipping) {
        yield { kind: "oversized", bytes: skipped };
        skipping = false;
        skipped = 0;
      } else yield kept.take(large, decoder);
      start = end + 1;
    }
  }
  if (skipping) yield { kind: "oversized", bytes: skipped };
  else if (kept.size > 0) yield kept.take(large, decoder);
}

/**
 * The bytes of a line that spans chunks, copied once into blocks: the
 * first, of {@linkcode FIRST_BLOCK_BYTES}, kept from line to line; past
 * it, blocks of {@linkcode BLOCK_BYTES} (never a buffer grown and copied
 * again). A large line leaves in its blocks; a smaller one is joined.
 */
class LineBuffer {
  #blocks: Uint8Array[] = [];
  /** Bytes used in the last block. */
  #used = 0;
  size = 0;

  add(piece: Uint8Array): void {
    let from = 0;
    while (from < piece.length) {
      let block = this.#blocks.at(-1);
      if (block === undefined || this.#used === block.length) {
        block = new Uint8Array(
          this.#blocks.length === 0 ? FIRST_BLOCK_BYTES : BLOCK_BYTES,
        );
        this.#blocks.push(block);
        this.#used = 0;
      }
      const n = Math.min(piece.length - from, block.length - this.#used);
      block.set(piece.subarray(from, from + n), this.#used);
      this.#used += n;
      from += n;
    }
    this.size += piece.length;
  }

  /** The line, decoded, or its blocks when large; then empty. */
  take(large: number, decoder: TextDecoder): Line | LargeLine {
    const parts = this.#blocks.map((block, i) =>
      i === this.#blocks.length - 1 ? block.subarray(0, this.#used) : block
    );
    const line: Line | LargeLine = this.size >= large
      ? { kind: "bytes", parts, size: this.size }
      : { kind: "line", text: decoder.decode(concat(parts, this.size)) };
    // A large line's blocks go with it (they may be transferred); the
    // first block of a smaller one is kept for the next line.
    this.#blocks = this.size >= large ? [] : this.#blocks.slice(0, 1);
    this.#used = 0;
    this.size = 0;
    return line;
  }

  clear(): void {
    this.#blocks = this.#blocks.slice(0, 1);
    this.#used = 0;
    this.size = 0;
  }
}

/**
 * The parts joined into one array (the only part itself).
 *
 * @param parts byte arrays
 * @param size their total length
 * @returns the bytes
 */
export function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
