/**
 * Figures: the reflection guard (`--only guard`). Its cost on a 5 MiB
 * body crafted against it (`tests/_crafted_bodies.ts`), as the broker
 * reads a response (decoded from bytes), against one `indexOf` of the key
 * over the same body, in wall time and in this process's CPU time (against
 * one loop copying the body's characters: a ratio the machine's load
 * moves less); its cost on a body built against its dense rows by a
 * sender who knows the key (the worst this guard has), on one built
 * against its deep branching nodes, and on one of escape starts that
 * decode to nothing (against the rounds' skipping to the next escape
 * start), and on one holding the key whole in its forms line after line
 * (a server echoing a templated request: the most replacements per byte),
 * each in wall time and in CPU time; the crafted body's CPU time when the
 * thread kept no arrays from an earlier search; and another
 * connection's
 * `graph.list` while a hostile call (the chain-thief skill) pushes twelve
 * such bodies through the engine, against `graph.list` with nothing else
 * running — both in this run.
 *
 * @module
 */
import {
  CallCredentials,
  dropKeptGuardArrays,
} from "../../engine/broker/mod.ts";
import {
  branchBody,
  craftedBody,
  echoBody,
  escapeStartBody,
  nearMissBody,
} from "../../tests/_crafted_bodies.ts";
import { REPO_ROOT } from "../../tests/_task_command.ts";
import process from "node:process";
import type { BenchContext } from "./context.ts";
import { addStallFigures } from "./stall_figures.ts";
import { timed } from "./measure.ts";

const KEY = "sk-bench/guard+KEY=4f2e9a0c&z";
const BODY_BYTES = 5 * 1024 * 1024;

/** Measures the guard in this process, then its effect on another client. */
export async function reflectionGuardFigures(
  context: BenchContext,
): Promise<void> {
  const { quick, figures } = context;
  const body = asRead(craftedBody(BODY_BYTES));
  const credentials = new CallCredentials(true);
  credentials.add({
    domain: "bench.test",
    value: KEY,
    scope: { domain: "bench.test" },
  });
  credentials.mask("warm up: prepares the key's forms");
  const runs = quick ? 3 : 10;
  const scan = await timed(() => Promise.resolve(body.indexOf(KEY)), runs);
  const guard = await timed(
    () => Promise.resolve(credentials.mask(body)),
    runs,
  );
  figures.record(
    "reflection guard on a 5 MiB crafted body (one thread)",
    "ms",
    guard,
    { name: "indexOf of the key over the same body", samples: scan },
    "≤ 50 ms",
  );
  const copy = new Uint16Array(2 * body.length);
  figures.record(
    "reflection guard on a 5 MiB crafted body, CPU time of this process",
    "ms",
    cpuTimed(() => credentials.mask(body), runs),
    {
      name: "one loop copying the body's characters, CPU time",
      samples: cpuTimed(() => {
        for (let i = 0; i < body.length; i++) copy[i] = body.charCodeAt(i);
      }, runs),
    },
    "≤ 50 ms",
  );
  figures.record(
    "the same, nothing kept from an earlier search (a thread's first), CPU time",
    "ms",
    cpuTimed(() => (dropKeptGuardArrays(), credentials.mask(body)), runs),
    {
      name: "one loop copying the body's characters, CPU time",
      samples: cpuTimed(() => {
        for (let i = 0; i < body.length; i++) copy[i] = body.charCodeAt(i);
      }, runs),
    },
    "≤ 50 ms",
  );
  await builtBodyFigures(context, credentials, runs, copy);
  await graphListUnderPush(context, body, quick ? 4 : 12);
}

/** The guard on bodies built against it (by a sender who knows the key, or of escape starts) and on an echo of the key: wall and CPU time. */
async function builtBodyFigures(
  { figures }: BenchContext,
  credentials: CallCredentials,
  runs: number,
  copy: Uint16Array,
): Promise<void> {
  const built: [string, string][] = [
    [
      "holding the key whole in its forms, one a line (an echo of the request)",
      echoBody(BODY_BYTES, KEY),
    ],
    [
      "built against its deep branching nodes (key known)",
      branchBody(BODY_BYTES, KEY),
    ],
    ["built against its dense rows (key known)", nearMissBody(BODY_BYTES, KEY)],
    [
      "of escape starts that decode to nothing (every round looks at each)",
      escapeStartBody(BODY_BYTES),
    ],
  ];
  for (const [what, text] of built) {
    const against = asRead(text);
    figures.record(
      `reflection guard on a 5 MiB body ${what}`,
      "ms",
      await timed(() => Promise.resolve(credentials.mask(against)), runs),
      {
        name: "indexOf of the key over the same body",
        samples: await timed(() => Promise.resolve(against.indexOf(KEY)), runs),
      },
      "≤ 50 ms",
    );
    figures.record(
      `the same body ${what.split(" (")[0]}, CPU time of this process`,
      "ms",
      cpuTimed(() => credentials.mask(against), runs),
      {
        name: "one loop copying the body's characters, CPU time",
        samples: cpuTimed(() => {
          for (let i = 0; i < against.length; i++) {
            copy[i] = against.charCodeAt(i);
          }
        }, runs),
      },
      "≤ 50 ms",
    );
  }
}

/** The text as the broker reads a response: decoded from its bytes (one flat string). */
function asRead(text: string): string {
  return new TextDecoder().decode(new TextEncoder().encode(text));
}

/** Runs `fn` `runs` times; the process's CPU time of each run in ms. */
function cpuTimed(fn: () => unknown, runs: number): number[] {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage();
    fn();
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / 1000);
  }
  return samples;
}

/** graph.list on one client while another runs a call that pushes crafted bodies. */
async function graphListUnderPush(
  { figures, client, engine }: BenchContext,
  body: string,
  bodies: number,
): Promise<void> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(body),
  );
  try {
    await client.call("prefs.set", {
      key: "http.origin_map",
      value: {
        "https://api.chain.test": `http://127.0.0.1:${server.addr.port}`,
      },
    });
    // This figure is about the other connection, not the budget.
    await client.call("prefs.set", {
      key: "http.guard_budget_ms",
      value: 600_000,
    });
    // Stored once the skill is installed: it is among the skills the key serves.
    await client.call("skills.add", {
      path: `${REPO_ROOT}tests/fixtures/hostile/chain-thief`,
    });
    await client.call("secrets.set", {
      domain: "chain.test",
      value: { key: KEY },
    });
    const other = await engine.client();
    const list = () => other.call("graph.list", { shape: "task", limit: 50 });
    const idle = await timed(list, 500);
    let running = true;
    const push = client.call("skills.run", {
      skill: "chain-thief",
      tool: "push",
      params: { count: bodies },
    }).then(
      () => "completed",
      (error) => `failed: ${(error as Error).message.slice(0, 80)}`,
    ).finally(() => running = false);
    const loaded: number[] = [];
    while (running) loaded.push(...await timed(list, 1));
    const outcome = await push;
    // deno-lint-ignore no-console
    console.error(`  the pushing call ${outcome}`);
    // A push that failed at once leaves nothing to measure under it.
    if (outcome !== "completed") {
      throw new Error(`the pushing call ${outcome}`);
    }
    recordPush(figures, bodies, loaded, idle);
  } finally {
    await server.shutdown();
  }
}

/** The figures of the push: the calls' times, their p99 and the longest. */
function recordPush(
  figures: BenchContext["figures"],
  bodies: number,
  loaded: number[],
  idle: number[],
): void {
  figures.record(
    `graph.list on another connection while a call pushes ${bodies} crafted 5 MiB bodies`,
    "ms",
    loaded,
    { name: "graph.list, nothing else running", samples: idle },
  );
  addStallFigures(
    figures,
    {
      p99:
        `graph.list p99 on another connection during that push (${loaded.length} calls)`,
      longest: `longest graph.list on another connection during that push (${
        loaded.filter((ms) => ms > 50).length
      } of ${loaded.length} over 50 ms)`,
    },
    loaded,
    idle,
  );
}
