/**
 * `shell.run --net` end to end: a real engine process (with the engine
 * task's permissions), a skill whose curl the owner granted `--net` and one
 * host, real servers on 127.0.0.1. The granted host is reached through the
 * engine's proxy; another is refused with the reason in the result; both
 * connections are in the engine's audit log under the call.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

Deno.test("shell.run --net: an owner-granted curl reaches the granted host through the engine's proxy, another host is refused, both audited", async () => {
  const seen: string[] = [];
  const serve = () =>
    Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (r) => {
      seen.push(`${new URL(r.url).port}${new URL(r.url).pathname}`);
      return new Response("hello from the granted host");
    });
  const allowed = serve();
  const other = serve();
  try {
    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "1" },
    });
    const client = await engine.client();
    const home = engine.paths.home;
    await client.call("skills.add", { path: fixture("net-tool") });
    for (
      const grant of [
        ["--run", "curl", "--net"],
        [`127.0.0.1:${allowed.addr.port}`],
      ]
    ) {
      const cli = await runAgentos(home, [
        "skills",
        "allow",
        "net-tool",
        ...grant,
      ]);
      assert.equal(cli.code, 0, cli.stderr);
    }
    const fetch = (url: string) =>
      client.call<{ result: Json }>("skills.run", {
        skill: "net-tool",
        tool: "fetch",
        params: { url },
      }).then((r) => r.result);

    const ok = await fetch(`http://127.0.0.1:${allowed.addr.port}/granted`);
    assert.equal(ok.exit_code, 0, ok.stderr as string);
    assert.equal(ok.stdout, "hello from the granted host");

    const refused = await fetch(`http://127.0.0.1:${other.addr.port}/steal`);
    assert.notEqual(refused.exit_code, 0);
    assert.match(
      refused.refused as string,
      /may not reach host "127\.0\.0\.1": it is not in the skill's egress set/,
    );
    assert.deepEqual(seen, [`${allowed.addr.port}/granted`]);

    const audit = (await Deno.readTextFile(`${home}/logs/engine-io.jsonl`))
      .trim().split("\n").map((line) => JSON.parse(line) as Json)
      .filter((line) => line.op === "shell.connect");
    assert.equal(audit.length, 2, JSON.stringify(audit));
    assert.deepEqual(
      audit.map((l) => [l.skill, l.tool, l.status, l.target]),
      [
        ["net-tool", "fetch", "ok", `127.0.0.1:${allowed.addr.port}`],
        ["net-tool", "fetch", "refused", `127.0.0.1:${other.addr.port}`],
      ],
    );
    assert.ok(audit.every((l) => typeof l.call === "string"));
  } finally {
    await allowed.shutdown();
    await other.shutdown();
  }
});
