import type { AuditHead, AuditHeadStore } from "./audit_head.ts";

/** One brokered operation, as written to `logs/engine-io.jsonl`. */
export interface AuditEntry {
  /** The skill call it belongs to. */
  call?: string;
  skill?: string;
  tool?: string;
  /** `http.request`, `secrets.read`, `sql.query`, `capability.call`, `graph.write`… */
  op: string;
  /** Host, table or capability the operation touched (never a URL's query or a header). */
  target?: string;
  /** `ok`, `refused` or `failed`. */
  status: "ok" | "refused" | "failed";
  /** The outcome of each policy check, e.g. `{egress: "allowed", private_address: "refused"}`. */
  checks?: Record<string, string>;
  bytesIn?: number;
  bytesOut?: number;
  ms?: number;
  /** A short reason for refusals and failures (never a secret or a body). */
  reason?: string;
  [key: string]: unknown;
}

/** A written line: the entry plus its place in the hash chain. */
export interface AuditLine extends AuditEntry {
  seq: number;
  at: string;
  /** SHA-256 of the previous line's text; 64 zeros for the first line. */
  prev: string;
}

const GENESIS = "0".repeat(64);
const encoder = new TextEncoder();

/**
 * The append-only audit trail: one JSON line per brokered operation, each
 * carrying the SHA-256 of the previous line, so an edited, inserted or
 * deleted line breaks the chain that {@linkcode verifyAuditLog} walks.
 * The chain's head (last seq and hash) is also kept in the database, so a
 * deleted tail, an emptied file or a re-chained file does not match it;
 * the chain continues from that head, never from a file that was cut.
 * Lines are appended synchronously (hash and write, no await), so nothing
 * acknowledged is left unlogged and concurrent operations form one chain.
 */
export class AuditLog {
  #file: Deno.FsFile;
  #sha256: Sha256;
  #prev: string;
  #seq: number;
  #head: AuditHeadStore | undefined;

  private constructor(
    file: Deno.FsFile,
    sha256: Sha256,
    start: AuditHead,
    head: AuditHeadStore | undefined,
  ) {
    this.#file = file;
    this.#sha256 = sha256;
    this.#prev = start.hash;
    this.#seq = start.seq;
    this.#head = head;
  }

  /**
   * Opens the log, continuing the chain from the stored head, or from the
   * file's last line when no head was stored yet (a home from before heads).
   *
   * @param path `logs/engine-io.jsonl`
   * @param options `head`: where the chain's head is kept (the engine's database)
   * @returns the log
   */
  static async open(
    path: string,
    options: { head?: AuditHeadStore } = {},
  ): Promise<AuditLog> {
    const sha256 = await loadSha256();
    let start = options.head?.read();
    if (start === undefined) {
      start = { seq: 0, hash: GENESIS };
      const last = await lastLine(path);
      if (last !== undefined) {
        let seq = 0;
        try {
          seq = (JSON.parse(last) as AuditLine).seq ?? 0;
        } catch {
          // a damaged tail: the chain continues; verify will report it
        }
        start = { seq, hash: sha256(last) };
      }
      options.head?.write(start);
    }
    const file = await Deno.open(path, {
      append: true,
      create: true,
      mode: 0o600,
    });
    return new AuditLog(file, sha256, start, options.head);
  }

  /**
   * Appends one entry.
   *
   * @param entry what happened (no secrets, header values or bodies)
   */
  append(entry: AuditEntry): void {
    // The chain's own fields are never taken from the entry: an entry that
    // carried them (a field copied from a request) would break the chain.
    const { seq: _seq, at: _at, prev: _prev, ...fields } = entry;
    const line: AuditLine = {
      seq: ++this.#seq,
      at: new Date().toISOString(),
      ...fields,
      prev: this.#prev,
    };
    const text = JSON.stringify(line);
    this.#prev = this.#sha256(text);
    try {
      this.#file.writeSync(encoder.encode(text + "\n"));
    } catch {
      // Disk full: the operation still happened; the gap shows in verify.
    }
    try {
      // After the line: a reader that takes the head first finds its line.
      this.#head?.write({ seq: this.#seq, hash: this.#prev });
    } catch {
      // The database refused (disk full, closing): verify reports the lag.
    }
  }

  /** The chain's head: the last line's seq and hash. */
  get head(): AuditHead {
    return { seq: this.#seq, hash: this.#prev };
  }

  /** Closes the file. */
  close(): void {
    this.#file.close();
  }
}

/** What {@linkcode verifyAuditLog} found. */
export interface AuditVerification {
  ok: boolean;
  lines: number;
  /** 1-based line number of the first line that breaks the chain. */
  brokenAt?: number;
  reason?: string;
}

/**
 * Walks the hash chain of an audit log and, given the head the engine
 * recorded, checks that the file still reaches it: the line numbered
 * `head.seq` exists and hashes to `head.hash` (lines after it, appended
 * since the head was read, need only link).
 *
 * @param path the log file
 * @param options `head`: the recorded head (read it before the file)
 * @returns whether every line links to the one before and the head is there
 */
export async function verifyAuditLog(
  path: string,
  options: { head?: AuditHead } = {},
): Promise<AuditVerification> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const lines = text.split("\n").filter((line) => line !== "");
  const sha256 = await loadSha256();
  const { head } = options;
  let prev = GENESIS;
  let seq = 0;
  for (const [index, line] of lines.entries()) {
    let parsed: AuditLine;
    try {
      parsed = JSON.parse(line);
    } catch {
      return {
        ok: false,
        lines: lines.length,
        brokenAt: index + 1,
        reason: "not JSON",
      };
    }
    if (parsed.prev !== prev) {
      return {
        ok: false,
        lines: lines.length,
        brokenAt: index + 1,
        reason: "does not link to the line before",
      };
    }
    if (parsed.seq !== seq + 1) {
      return {
        ok: false,
        lines: lines.length,
        brokenAt: index + 1,
        reason: `sequence ${parsed.seq} after ${seq}`,
      };
    }
    seq = parsed.seq;
    prev = sha256(line);
    if (head && seq === head.seq && prev !== head.hash) {
      return {
        ok: false,
        lines: lines.length,
        brokenAt: index + 1,
        reason:
          `is not the line the engine wrote as number ${seq} (its hash differs from the recorded head)`,
      };
    }
  }
  if (head && seq < head.seq) {
    return {
      ok: false,
      lines: lines.length,
      brokenAt: lines.length + 1,
      reason:
        `is missing: the engine wrote ${head.seq} lines, the file ends at ${
          seq === 0 ? "none" : `number ${seq}`
        } (lines were deleted from the end, or the file was emptied)`,
    };
  }
  return { ok: true, lines: lines.length };
}

type Sha256 = (text: string) => string;

// node:crypto hashes synchronously (so appends stay in order without a
// queue), but importing it loads Node's compatibility layer: done on first
// use, off the path to the engine's socket answering.
async function loadSha256(): Promise<Sha256> {
  const { createHash } = await import("node:crypto");
  return (text) => createHash("sha256").update(text).digest("hex");
}

async function lastLine(path: string): Promise<string | undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  try {
    // Read only the tail: the log may be large.
    const size = (await file.stat()).size;
    const span = Math.min(size, 1024 * 1024);
    await file.seek(size - span, Deno.SeekMode.Start);
    const buffer = new Uint8Array(span);
    let read = 0;
    while (read < span) {
      const n = await file.read(buffer.subarray(read));
      if (n === null) break;
      read += n;
    }
    const lines = new TextDecoder().decode(buffer.subarray(0, read)).split("\n")
      .filter((l) => l !== "");
    return lines.at(-1);
  } finally {
    file.close();
  }
}
