/**
 * Figures a user can relate to (`--only catalog`): one catalog-style call
 * end to end — an MCP `tools/call` (the SDK's real Client over stdio to
 * agentos-mcp) → the engine → a fresh sandboxed worker → one brokered
 * request through a header auth template to a 127.0.0.1 fixture → the
 * records written to the graph → the answer — against the sum of its
 * baselines measured in the same run, interleaved with it: a bare
 * sandboxed interpreter start, a direct fetch of the same fixture and a
 * direct `graph.import` of the same records. Then the same call served by
 * a spare worker, against the same baselines interleaved with it.
 *
 * @module
 */
import type { RpcClient } from "../../engine/rpc/mod.ts";
import { EngineProcess } from "../../tests/_engine_process.ts";
import { McpSession } from "../../tests/mcp_session.ts";
import { REPO_ROOT } from "../../tests/_task_command.ts";
import { bareStart } from "./bare_start.ts";
import type { BenchContext } from "./context.ts";
import { quantile } from "./figures.ts";
import { pause, run, timed } from "./measure.ts";

const KEY = "bench-live-KEY-3f9a0c7d1e";
const TASKS = 20;

/** What the fixture API answers: the account's tasks, raw. */
const RAW = Array.from({ length: TASKS }, (_, i) => ({
  title: `Bench task ${i}`,
  link: `https://tasks.benchtasks.test/t/${i}`,
  state: ["todo", "in_progress", "blocked", "done"][i % 4],
  prio: (i % 4) + 1,
  tags: ["bench", `l${i % 3}`],
  body: `Body of bench task ${i}, a few words the graph indexes`,
}));

/** The records the skill returns for {@linkcode RAW} (its `_task`). */
const RECORDS = RAW.map((t) => ({
  name: t.title,
  url: t.link,
  status: t.state,
  priority: t.prio,
  labels: t.tags,
  text: t.body,
}));

/** The fixture API on 127.0.0.1: answers only the real key's requests. */
function fixtureApi():
  & { origin: string; served: () => number }
  & AsyncDisposable {
  let served = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      if (request.headers.get("authorization") !== `Bearer ${KEY}`) {
        return new Response("no key", { status: 401 });
      }
      served++;
      return Response.json(RAW);
    },
  );
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    served: () => served,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** An engine (with `spares` spare workers) holding the skill and its key, and an MCP session to it. */
async function catalogEngine(spares: number, origin: string) {
  const engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: String(spares),
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.benchtasks.test": origin,
      }),
    },
  });
  const client = await engine.client();
  await client.call("skills.add", {
    path: `${REPO_ROOT}/bench/skills/catalog`,
  });
  await client.call("secrets.set", { domain: "benchtasks.test", value: KEY });
  const session = await McpSession.open(engine.paths.home);
  return {
    client,
    session,
    async [Symbol.asyncDispose]() {
      await session[Symbol.asyncDispose]();
      await engine[Symbol.asyncDispose]();
    },
  };
}

/** One `tools/call` of `skills_run`; throws unless every record came back. */
async function mcpCall(session: McpSession): Promise<void> {
  const answer = await session.client.callTool({
    name: "skills_run",
    arguments: { skill: "bench-catalog", tool: "list_tasks" },
  });
  const text = JSON.stringify(answer);
  if (answer.isError || !text.includes(`Bench task ${TASKS - 1}`)) {
    throw new Error(`the catalog call failed: ${text.slice(0, 200)}`);
  }
}

/** The baselines' samples, one of each per round. */
interface Baselines {
  start: number[];
  fetch: number[];
  import: number[];
}

async function baselineRound(
  into: Baselines,
  sandboxedArgv: string[],
  origin: string,
  client: RpcClient,
): Promise<void> {
  into.start.push(...await timed(() => run(sandboxedArgv), 1));
  into.fetch.push(
    ...await timed(async () => {
      const response = await fetch(`${origin}/v1/tasks`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      await response.json();
    }, 1),
  );
  into.import.push(
    ...await timed(
      () => client.call("graph.import", { shape: "task", records: RECORDS }),
      1,
    ),
  );
}

function baselineSum(b: Baselines) {
  const [start, fetched, imported] = [b.start, b.fetch, b.import].map((s) =>
    quantile(s, 0.5)
  ) as [number, number, number];
  return {
    name: `sum: sandboxed start ${start.toFixed(1)} + fetch ${
      fetched.toFixed(1)
    } + graph.import ${imported.toFixed(1)}`,
    samples: [start + fetched + imported],
  };
}

/** Measures the catalog call fresh (no spare) and spare-served. */
export async function catalogCallFigures(
  { quick, figures }: BenchContext,
): Promise<void> {
  const runs = quick ? 10 : 30;
  const sandboxedArgv = await bareStart(true);
  await using api = fixtureApi();
  const baselines: Baselines = { start: [], fetch: [], import: [] };
  const fresh: number[] = [];
  {
    await using cold = await catalogEngine(0, api.origin);
    await mcpCall(cold.session); // the first call loads the skill
    for (let i = 0; i < runs; i++) {
      await baselineRound(baselines, sandboxedArgv, api.origin, cold.client);
      fresh.push(...await timed(() => mcpCall(cold.session), 1));
    }
  }
  const sum = baselineSum(baselines);
  figures.record(
    `catalog call end to end, fresh worker (MCP tools/call → engine → sandboxed worker → brokered request with an auth template → ${TASKS} records into the graph → answer)`,
    "ms",
    fresh,
    sum,
    "≤ 1.5×",
  );
  const spare: number[] = [];
  const spareBaselines: Baselines = { start: [], fetch: [], import: [] };
  {
    await using warm = await catalogEngine(2, api.origin);
    await mcpCall(warm.session);
    for (let i = 0; i < runs; i++) {
      await baselineRound(
        spareBaselines,
        sandboxedArgv,
        api.origin,
        warm.client,
      );
      await pause(400); // let the pool refill, even on a loaded host
      spare.push(...await timed(() => mcpCall(warm.session), 1));
    }
  }
  // Every call's request reached the fixture with the real key (and
  // each baseline round's fetch).
  if (api.served() !== 4 * runs + 2) {
    throw new Error(`the fixture answered ${api.served()} keyed requests`);
  }
  figures.record(
    "catalog call end to end, served by a spare worker",
    "ms",
    spare,
    baselineSum(spareBaselines),
  );
}
