/** One framed item read from a newline-delimited byte stream. */
export type Line =
  | { kind: "line"; text: string }
  | { kind: "oversized"; bytes: number };

/** Options for {@linkcode readLines}. */
export interface ReadLinesOptions {
  /** Longest accepted line in bytes, excluding the newline. */
  maxBytes: number;
}

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into UTF-8 lines. A line longer than `maxBytes` is
 * skipped as it streams past (never held whole in memory) and reported once
 * as `oversized`, so one hostile client cannot make the engine buffer 100 MB.
 *
 * @param stream the bytes, e.g. a socket's or a pipe's readable side
 * @param options the size limit
 * @returns an async iterator of lines and oversize reports
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array> | {
    read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  },
  options: ReadLinesOptions,
): AsyncGenerator<Line> {
  const reader = stream instanceof ReadableStream ? stream.getReader() : stream;
  const decoder = new TextDecoder();
  let parts: Uint8Array[] = [];
  let size = 0;
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
        end !== -1 && size === 0 && !skipping &&
        piece.length <= options.maxBytes
      ) {
        // The common case, a whole line inside one chunk: no copy.
        yield { kind: "line", text: decoder.decode(piece) };
        start = end + 1;
        continue;
      }
      if (skipping) {
        skipped += piece.length;
      } else if (size + piece.length > options.maxBytes) {
        skipping = true;
        skipped = size + piece.length;
        parts = [];
        size = 0;
      } else if (piece.length > 0) {
        // Copy: the stream may reuse its chunk buffer.
        parts.push(piece.slice());
        size += piece.length;
      }
      if (end === -1) break;
      if (skipping) {
        yield { kind: "oversized", bytes: skipped };
        skipping = false;
        skipped = 0;
      } else {
        yield { kind: "line", text: decoder.decode(concat(parts, size)) };
        parts = [];
        size = 0;
      }
      start = end + 1;
    }
  }
  if (skipping) yield { kind: "oversized", bytes: skipped };
  else if (size > 0) {
    yield { kind: "line", text: decoder.decode(concat(parts, size)) };
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
