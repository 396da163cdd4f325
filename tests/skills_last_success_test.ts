/**
 * A skill's last success (what orders a capability's providers): every
 * successful call updates it at once; it is written to the database at
 * most once a second per skill (a write per call was ~0.6 ms of every
 * call's path), so a restart finds it at most that much older.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { fixture } from "./skills_helpers.ts";

interface Listed {
  id: string;
  lastSuccessAt: string | null;
}

async function lastSuccess(engine: EngineProcess): Promise<number> {
  const client = await engine.client();
  const { skills } = await client.call<{ skills: Listed[] }>("skills.list", {});
  const at = skills.find((s) => s.id === "cap-ok")?.lastSuccessAt;
  assert.ok(at, "cap-ok has a last success");
  return Date.parse(at);
}

Deno.test("a skill's last success moves with every call, and a restart finds it at most a second older", async () => {
  const home = await Deno.makeTempDir({ prefix: "agentos-test-" });
  try {
    let last: number;
    {
      await using engine = await EngineProcess.start({
        home,
        env: { AGENTOS_SPARE_WORKERS: "1" },
      });
      const client = await engine.client();
      await client.call("skills.add", { path: fixture("cap-ok") });
      const call = () =>
        client.call("skills.run", {
          skill: "cap-ok",
          tool: "echo",
          params: { text: "hi" },
        });
      await call();
      const first = await lastSuccess(engine);
      // Calls within the second after it: the one in memory moves.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await call();
      last = await lastSuccess(engine);
      assert.ok(last > first, `${last} after ${first}`);
    }
    await using again = await EngineProcess.start({ home });
    const stored = await lastSuccess(again);
    assert.ok(stored <= last && last - stored < 1000, `${stored}, ${last}`);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
