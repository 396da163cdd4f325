/**
 * The reflection guard's worker thread: scrubs one text per message, off
 * the engine's main thread, and answers with the result and the time it
 * took; or prepares a set of secrets (their forms and automaton) and
 * sends it back, so the main thread never builds one. Prepared secret
 * sets are cached here as on the main thread (`reflection_forms.ts`), so
 * a connection's calls prepare theirs once.
 *
 * This module is loaded by `new Worker` from `guard_pool.ts`; it imports
 * only files of this folder (the engine task grants read access to it:
 * a worker's modules are read as files).
 *
 * @module
 */
import { type GuardedSecret, ReflectionGuard } from "./reflection_guard.ts";
import {
  prepare,
  type PreparedData,
  preparedData,
} from "./reflection_forms.ts";

/**
 * One job: scrub the text with the secrets, or (no text) prepare the
 * automaton of the secrets' values and send it back.
 */
export interface GuardJob {
  id: number;
  secrets: GuardedSecret[];
  text?: string;
  /** A body's bytes, to decode by `charset` first (they are transferred). */
  body?: { bytes: Uint8Array; charset: string };
}

/**
 * One answer: the scrubbed text or the prepared set, and the milliseconds
 * the scrub took (or the preparation); for a body, the scrubbed text's
 * JSON (`JSON.stringify`) in UTF-8 instead of the text, transferred.
 */
export interface GuardAnswer {
  id: number;
  text?: string;
  json?: Uint8Array;
  prepared?: PreparedData;
  error?: string;
  ms: number;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<GuardJob>) => void) | null;
  postMessage(answer: GuardAnswer, transfer?: Transferable[]): void;
};

/**
 * A prepared set with its automaton's arrays copied here, and the copies'
 * buffers to transfer: the main thread receives them without copying
 * megabytes itself (this worker keeps its own arrays for its scrubs).
 */
function forTransfer(
  data: PreparedData,
): { data: PreparedData; transfer: Transferable[] } {
  const automaton = { ...data.automaton };
  const transfer: Transferable[] = [];
  for (const [name, value] of Object.entries(automaton)) {
    if (!ArrayBuffer.isView(value)) continue;
    const copy = (value as Int32Array).slice();
    (automaton as Record<string, unknown>)[name] = copy;
    transfer.push(copy.buffer);
  }
  return { data: { ...data, automaton }, transfer };
}

scope.onmessage = ({ data }) => {
  const started = performance.now();
  try {
    if (data.body !== undefined) return scrubBody(data, data.body);
    if (data.text === undefined) {
      const { data: prepared, transfer } = forTransfer(
        preparedData(prepare(data.secrets.map((s) => s.value))),
      );
      scope.postMessage({
        id: data.id,
        prepared,
        ms: performance.now() - started,
      }, transfer);
      return;
    }
    const text = new ReflectionGuard(data.secrets).scrub(data.text);
    scope.postMessage({ id: data.id, text, ms: performance.now() - started });
  } catch (error) {
    scope.postMessage({
      id: data.id,
      error: String((error as Error)?.message ?? error),
      ms: performance.now() - started,
    });
  }
};

const encoder = new TextEncoder();

/**
 * A body: decoded here (as `readBody` decodes it), scrubbed, and its JSON
 * made here too and sent alone, so the main thread neither decodes nor
 * serialises it, nor holds the text. The time reported is the scrub's, as
 * for a text.
 */
function scrubBody(
  job: GuardJob,
  body: { bytes: Uint8Array; charset: string },
): void {
  const read = new TextDecoder(body.charset).decode(body.bytes);
  const started = performance.now();
  const text = new ReflectionGuard(job.secrets).scrub(read);
  const ms = performance.now() - started;
  const json = encoder.encode(JSON.stringify(text));
  scope.postMessage({ id: job.id, json, ms }, [json.buffer]);
}
