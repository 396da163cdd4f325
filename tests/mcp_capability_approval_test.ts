/**
 * A capability called as an MCP tool (one tool per capability), whose only
 * provider is refused a host it was not granted, asks the person through
 * the client's form, as a skill's own tool does: the engine's
 * `capability.call` keeps the provider's grant need in its failure, so the
 * proxy can build the prompt and retry once allowed. Real engine, real
 * agentos-mcp, the SDK's real client, a real sandboxed provider and a
 * server on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { McpSession } from "./mcp_session.ts";
import { choose, formSession, writeSkill } from "./_elicitation.ts";
import { localServer } from "./skills_helpers.ts";

const PROVIDER = `from agentos import client, provides, returns


@returns({"status": "json"})
@provides("probe_reach")
async def probe(url: str, **params):
    """Fetches the URL it is given."""
    resp = await client.get(url)
    return {"status": resp["status"]}
`;

Deno.test("a capability tool refused a host for its provider asks the person, and the retry works", async () => {
  const skills = await Deno.makeTempDir({ prefix: "agentos-cap-approve-" });
  await using server = localServer(() => Response.json({ ok: true }));
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  try {
    const rpc = await engine.client();
    await rpc.call("skills.add", {
      path: await writeSkill(
        skills,
        "reach-provider",
        PROVIDER,
        "capabilities: [http]\n",
      ),
    });
    const host = new URL(server.origin).host;
    const url = `${server.origin}/x`;
    {
      // Control: without forms the client is told the command.
      await using plain = await McpSession.open(engine.paths.home);
      const refused = await plain.call("probe_reach", { url });
      assert.equal(refused.isError, true);
      assert.match(
        refused.text,
        new RegExp(`agentos skills allow reach-provider ${host}`),
      );
    }
    const { session, asked } = await formSession(
      engine.paths.home,
      choose("allow_once"),
    );
    await using _session = session;
    const result = await session.call("probe_reach", { url });
    assert.equal(result.isError, false, result.text);
    assert.equal(asked.length, 1, "the person was asked once");
    assert.match(
      asked[0]!.message,
      new RegExp(
        `skill "reach-provider" was refused to reach the host "${host}"`,
      ),
    );
    assert.equal(server.requests.length, 1);
  } finally {
    await Deno.remove(skills, { recursive: true });
  }
});
