/**
 * `credentials.retrieve` never hands a skill a login another skill stored.
 * docs/security.md promises that rows other skills wrote are not found,
 * but the tests it named held only the domain check: with the row-writer
 * filter removed they still passed. A skill that declares the same site as
 * one that stored the owner's login (through `__secrets__`) asks for that
 * login and gets nothing; the writer itself still finds it. Real engine,
 * real sandboxed workers.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";

Deno.test("credentials.retrieve never finds a login another skill stored", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  for (const id of ["row-writer", "row-reader"]) {
    await client.call("skills.add", {
      path: `${REPO_ROOT}tests/fixtures/hostile/${id}`,
    });
  }
  const stored = await client.call<{ secrets: { stored: boolean }[] }>(
    "skills.run",
    {
      skill: "row-writer",
      tool: "store",
      params: { password: "writer-only-pass-5b81e0" },
    },
  );
  assert.equal(stored.secrets[0]?.stored, true, "the writer stored its row");
  const taken = await client.call<{ result: { found: boolean } }>(
    "skills.run",
    { skill: "row-reader", tool: "take", params: {} },
  );
  assert.equal(
    taken.result.found,
    false,
    `another skill found the writer's login: ${JSON.stringify(taken.result)}`,
  );
});
