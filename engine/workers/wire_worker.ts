/**
 * The wire worker thread: reads one large line a skill's worker wrote
 * (64 KiB or more), off the engine's main thread, and answers with what
 * the main thread needs of it, in time linear in the line:
 *
 * - a `log` dispatch with its message already cut to the length the log
 *   keeps (a line of 15 MiB comes back as 2,000 characters);
 * - a tool's `result` with each long string of its value sent beside it,
 *   with that string's JSON made here (the reply splices it in, never
 *   serialising it again);
 * - any other message as it is.
 *
 * This module is loaded by `new Worker` from `_wire_pool.ts`; it imports
 * nothing (the engine task grants read access to this file alone: a
 * worker's modules are read as files).
 *
 * @module
 */

/** One job: a line's bytes in parts (transferred) and how to cut what it holds. */
export interface WireJob {
  id: number;
  parts: Uint8Array[];
  /** The characters of a `log` message the log keeps. */
  logChars: number;
  /** The length from which a string of a result is sent with its JSON. */
  madeChars: number;
  /**
   * Patterns (sources, matched case-insensitively) each such string is
   * searched for here, by name: the main thread takes the answers.
   */
  patterns: Record<string, string>;
}

/** A long string of a result: where it is, the string and its JSON in UTF-8. */
export interface MadeString {
  path: (string | number)[];
  text: string;
  /** Where its JSON is in the answer's `json`. */
  start: number;
  end: number;
  /** Whether it holds each of the job's patterns, by name. */
  facts: Record<string, boolean>;
}

/** One answer, with the milliseconds the job took. */
export interface WireAnswer {
  id: number;
  ms: number;
  /** The message (a result's long strings left out, as ""). */
  value?: unknown;
  /** The line's length in UTF-16 units. */
  chars?: number;
  made?: MadeString[];
  /** The JSON of the made strings, one after the other (transferred). */
  json?: Uint8Array;
  /** The line is not JSON: why. */
  invalid?: string;
  /** The line held only white space. */
  blank?: boolean;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<WireJob>) => void) | null;
  postMessage(answer: WireAnswer, transfer?: Transferable[]): void;
};

const encoder = new TextEncoder();

scope.onmessage = ({ data: job }) => {
  const started = performance.now();
  const done = (answer: Omit<WireAnswer, "id" | "ms">, t: Transferable[]) =>
    scope.postMessage(
      { id: job.id, ms: performance.now() - started, ...answer },
      t,
    );
  const text = new TextDecoder().decode(joined(job.parts));
  if (text.trim() === "") return done({ blank: true }, []);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return done({ invalid: (error as Error).message }, []);
  }
  const jsons: Uint8Array[] = [];
  const made = shape(value, job, jsons);
  const json = joined(jsons);
  done({ value, chars: text.length, made, json }, [json.buffer as ArrayBuffer]);
};

type Container = Record<string | number, unknown>;

/** Where a value is: its key and its parent's place (the message has none). */
interface Place {
  key: string | number;
  up?: Place;
}

function pathOf(place: Place): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at: Place | undefined = place; at; at = at.up) path.push(at.key);
  return path.reverse();
}

/** Cuts a log message; takes a result's long strings out. */
function shape(
  message: unknown,
  job: WireJob,
  jsons: Uint8Array[],
): MadeString[] {
  if (!isObject(message)) return [];
  if (message.__type__ === "dispatch" && message.op === "log") {
    const params = isObject(message.params) ? message.params : {};
    // As the log takes it (`dispatch_notes.ts`): the message as a string, cut.
    message.params = {
      level: typeof params.level === "string"
        ? params.level.slice(0, 16)
        : null,
      message: String(params.message ?? "").slice(0, job.logChars),
    };
    return [];
  }
  if (message.__type__ !== "result" || message.ok !== true) return [];
  const made: MadeString[] = [];
  let end = 0;
  const patterns = Object.entries(job.patterns).map((
    [name, source],
  ) => [name, new RegExp(source, "i")] as const);
  const factsOf = (text: string) =>
    Object.fromEntries(patterns.map(([name, re]) => [name, re.test(text)]));
  // Containers still to look into, with their places (no recursion: a
  // value nested thousands deep is walked as any other).
  const stack: [object, Place][] = [];
  const take = (parent: Container, key: string | number, up?: Place) => {
    const item = parent[key];
    const place = { key, up };
    if (typeof item === "string" && item.length >= job.madeChars) {
      const json = encoder.encode(JSON.stringify(item));
      jsons.push(json);
      const start = end;
      end += json.length;
      made.push({
        path: pathOf(place),
        text: item,
        start,
        end,
        facts: factsOf(item),
      });
      parent[key] = "";
    } else if (typeof item === "object" && item !== null) {
      stack.push([item, place]);
    }
  };
  take(message, "value");
  while (stack.length > 0) {
    const [container, place] = stack.pop()!;
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        take(container as unknown as Container, i, place);
      }
    } else {
      for (const key of Object.keys(container)) {
        take(container as Container, key, place);
      }
    }
  }
  return made;
}
function joined(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]!.byteOffset === 0) return parts[0]!;
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
