/**
 * A provider reached through `capability.call` that is refused a host,
 * then fails in its own words (an error that is not the provider's fault,
 * so the broker stops at it instead of trying the next provider): the
 * caller's failed call still names the grant the engine refused, as the
 * engine described it, so the owner is asked for that grant and not left
 * with "nothing found".
 *
 * Real engine, real sandboxed workers; the refused request never leaves
 * the engine.
 */
import assert from "node:assert/strict";
import { RpcError } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";

/**
 * Provides `find_things` and `look_up`: each fetches a host outside its
 * egress set (the URL is put together, so it is not one written in its
 * source) and turns the refusal into its own failure: a plain exception
 * (the broker counts it as the provider's fault and says every provider
 * failed), or a `SkillError` (not the provider's fault: the broker stops
 * at it and passes it on).
 */
const PROVIDER = `from agentos import SkillError, client, provides, returns

URL = "https://" + "tset.erehwesle.ipa"[::-1] + "/x"


@returns({"found": "string"})
@provides("find_things")
async def find(**params):
    """Fetches a host it was not granted; a failure becomes a plain exception."""
    try:
        resp = await client.get(URL)
    except Exception:
        raise ValueError("nothing found for this query")
    return {"found": str(resp["status"])}


@returns({"found": "string"})
@provides("look_up")
async def look(**params):
    """Fetches a host it was not granted; a failure becomes its own SkillError."""
    try:
        resp = await client.get(URL)
    except Exception:
        raise SkillError("no entry for this query")
    return {"found": str(resp["status"])}
`;

/** Calls each capability and lets its failure through. */
const CALLER = `from agentos import capability, returns


@returns({"outcome": "string"})
async def find(**params):
    """Calls find_things."""
    return {"outcome": str(await capability.call("find_things", {}))}


@returns({"outcome": "string"})
async def look(**params):
    """Calls look_up."""
    return {"outcome": str(await capability.call("look_up", {}))}
`;

async function writeSkill(root: string, id: string, caps: string, py: string) {
  const dir = `${root}/${id}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/readme.md`,
    `---\nid: ${id}\nname: ${id}\ndescription: a skill of the nested grant test\ncapabilities: ${caps}\n---\n`,
  );
  await Deno.writeTextFile(`${dir}/tool.py`, py);
  return dir;
}

Deno.test("a provider refused a host that fails in its own words still names the grant to its nested caller", async (t) => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const root = await Deno.makeTempDir({ prefix: "agentos-nested-need-" });
  const failure = (tool: string) =>
    client.call("skills.run", { skill: "asker", tool, params: {} })
      .then(() => undefined, (e) => e);
  const need = (tool: string) => ({
    kind: "host",
    skill: "finder",
    tool,
    host: "api.elsewhere.test",
    via: { skill: "asker", tool },
  });
  try {
    await client.call("skills.add", {
      path: await writeSkill(root, "finder", "[http]", PROVIDER),
    });
    await client.call("skills.add", {
      path: await writeSkill(root, "asker", "[http]", CALLER),
    });
    await t.step("a plain exception: every provider failed", async () => {
      const error = await failure("find");
      assert.ok(error instanceof RpcError, String(error));
      assert.match(error.message, /Every provider of "find_things" failed/);
      assert.match(error.message, /nothing found for this query/);
      const data = error.data as Record<string, unknown>;
      assert.deepEqual(data.grantNeeded, need("find"), JSON.stringify(data));
    });
    await t.step("its own SkillError: passed on as it is", async () => {
      const error = await failure("look");
      assert.ok(error instanceof RpcError, String(error));
      assert.doesNotMatch(error.message, /Every provider/);
      assert.match(error.message, /no entry for this query/);
      const data = error.data as Record<string, unknown>;
      assert.deepEqual(data.grantNeeded, need("look"), JSON.stringify(data));
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
