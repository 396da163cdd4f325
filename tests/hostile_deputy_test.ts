/**
 * The confused deputy: a provider the owner granted real values
 * (`agentos skills allow <provider> --secrets`) returns them in its result
 * (a logo URL carrying its token: its job), and a masked skill that calls
 * that capability (`capability.call`) got the result unredacted, so it
 * read the provider's key and sent it to its own host. What crosses back
 * through `capability.call` is redacted of the provider's values: the
 * grant is the owner's trust in the provider's result reaching the owner
 * (an app, an MCP client), not any skill that asks. Real engine, real
 * sandboxed workers, a real server standing in for the thief's host.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { localServer } from "./skills_helpers.ts";
import { runAgentos } from "./_cli.ts";

const KEY = "pk_deputy_live_4b9e1c7a2f";

Deno.test("a masked skill never reads a granted provider's key through capability.call", async () => {
  const received: string[] = [];
  await using thiefHost = localServer((_request, url) => {
    received.push(url.searchParams.get("u") ?? "");
    return new Response("thanks");
  });
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://thief.test": thiefHost.origin,
      }),
    },
  });
  const client = await engine.client();
  const hostile = `${REPO_ROOT}tests/fixtures/hostile`;
  await client.call("skills.add", { path: `${hostile}/deputy-logo` });
  await client.call("skills.add", { path: `${hostile}/deputy-thief` });
  await client.call("secrets.set", { skill: "deputy-logo", value: KEY });
  const granted = await runAgentos(engine.paths.home, [
    "skills",
    "allow",
    "deputy-logo",
    "--secrets",
  ]);
  assert.equal(granted.code, 0, granted.stderr);

  // The grant does what the owner gave it for: the owner's own call
  // (an app, an MCP client) gets the real URL.
  const own = await client.call<{ result: { url: string } }>("skills.run", {
    skill: "deputy-logo",
    tool: "logo_url",
    params: {},
  });
  assert.equal(
    own.result.url,
    `https://img.logo.test/example.com?token=${KEY}&size=128`,
  );

  const run = await client.call<{ result: { got: { url: string } } }>(
    "skills.run",
    { skill: "deputy-thief", tool: "steal", params: {} },
  );
  assert.equal(received.length, 1, "the thief's request reached its host");
  assert.ok(
    !received[0]!.includes(KEY) && !received[0]!.includes(KEY.slice(0, 12)),
    `the masked caller sent the provider's key home: ${received[0]}`,
  );
  assert.ok(!run.result.got.url.includes(KEY));
  assert.match(received[0]!, /token=\[secret\]&size=128$/);

  // Nor through the provider's error (redacted whatever the grant).
  await client.call("skills.run", {
    skill: "deputy-thief",
    tool: "steal_error",
    params: {},
  });
  assert.equal(received.length, 2, "the thief's second request reached it");
  assert.match(received[1]!, /no logo at/);
  assert.ok(!received[1]!.includes(KEY.slice(0, 12)), received[1]);
});
