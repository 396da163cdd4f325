/**
 * A worker still starting gets its call ahead of its `ready` (a cold
 * call's saved round trip): real interpreter processes on real pipes,
 * playing the worker's side of the wire.
 */
import assert from "node:assert/strict";
import { realPython } from "../../tests/_task_command.ts";
import { WorkerProcess } from "./worker_process.ts";
import type { WorkerCall } from "./worker_types.ts";

/** A worker that runs `script` (Python; `call` is the call line it read). */
function scripted(script: string): WorkerProcess {
  const source = [
    "import json, os, sys",
    "def line():",
    "    data = b''",
    "    while not data.endswith(b'\\n'):",
    "        chunk = os.read(0, 1 << 16)",
    "        if not chunk: sys.exit(3)",
    "        data += chunk",
    "    return json.loads(data)",
    "def send(*messages):",
    "    os.write(1, b''.join(json.dumps(m).encode() + b'\\n' for m in messages))",
    "READY = {'__type__': 'ready'}",
    "def result(call): return {'__type__': 'result', 'id': call['id'], 'ok': True, 'value': call['kwargs']}",
    script,
  ].join("\n");
  return WorkerProcess.spawn({
    program: realPython(),
    args: ["-I", "-S", "-c", source],
    env: {},
    cwd: "/",
    release: () => Promise.resolve(0),
  }, { readyTimeoutMs: 10_000 });
}

const CALL: WorkerCall = {
  id: "c-1",
  skill: { id: "s", dir: "/skill" },
  module: "m",
  function: "f",
  kwargs: { n: 1 },
  sources: {},
};

const handler = {
  dispatch: () => Promise.resolve({ served: true }),
  notify: () => {},
};

Deno.test("a starting worker finds its call in the pipe before it says ready", async () => {
  // Reads the call first: an engine that waited for "ready" before
  // sending it would leave both waiting until the call's time ran out.
  const worker = scripted("call = line()\nsend(READY)\nsend(result(call))");
  const result = await worker.run(CALL, { handler, timeoutMs: 5_000 });
  assert.deepEqual(result, { ok: true, value: { n: 1 } });
  await WorkerProcess.reaped();
});

Deno.test("the lines after a pipelined call's ready are the call's, even in the same write", async () => {
  const worker = scripted(
    "call = line()\n" +
      "send(READY, {'__type__': 'dispatch', 'id': 1, 'op': 'log', 'params': {}}, result(call))",
  );
  const result = await worker.run(CALL, { handler, timeoutMs: 5_000 });
  assert.deepEqual(result, { ok: true, value: { n: 1 } });
  await WorkerProcess.reaped();
});
