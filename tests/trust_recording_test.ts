/**
 * Recordings hold no credential: `agentos skills test --record` on a
 * masked skill and on one that declares `secrets`, against a server that
 * echoes the key in many encodings, writes `{secret}` where a value (or a
 * placeholder) was, and `--replay` still passes with the server gone.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture, localServer } from "./skills_helpers.ts";

const SECRET = "sk-tape/PLANTED+7d3b9e=";

const base64 = (text: string) => btoa(text);

Deno.test("recordings: --record writes no credential in any form, and --replay still passes", async (t) => {
  let open = true;
  const server = localServer((request, url) => {
    const key = request.headers.get("x-api-key") ??
      request.headers.get("x-key") ??
      "";
    return new Response(
      JSON.stringify({
        raw: key,
        query: url.search,
        escaped: key.replaceAll("/", "\\/"),
        base64: base64(`k:${key}`),
        results: ["green"],
        keyOk: key === SECRET,
      }),
      {
        headers: {
          "content-type": "application/json",
          "x-echo": encodeURIComponent(key),
        },
      },
    );
  });
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.keyed.test": server.origin,
        "https://api.tape.test": server.origin,
      }),
    },
  });
  const client = await engine.client();
  const home = engine.paths.home;
  const cli = (...args: string[]) => runAgentos(home, args);
  try {
    // Each stored for the skill added next.
    for (
      const [domain, skill] of [["keyed.test", "keyed-api"], [
        "tape.test",
        "tape-echo",
      ]]
    ) {
      await client.call("secrets.set", {
        domain,
        value: { key: SECRET },
        for: skill,
      });
    }
    for (const name of ["keyed-api", "tape-echo"]) {
      await client.call("skills.add", { path: fixture(name) });
    }
    // tape-echo sees real values: declared, and granted by the owner.
    await client.call("skills.allow", { skill: "tape-echo", secrets: true });
    for (const skill of ["keyed-api", "tape-echo"]) {
      const recording = `${home}/${skill}.recording.json`;
      await t.step(
        `${skill}: the recording holds {secret}, never the value or a placeholder`,
        async () => {
          const run = await cli("skills", "test", skill, "--record", recording);
          assert.equal(run.code, 0, run.stdout + run.stderr);
          assert.match(run.stdout, /1 passed, 0 failed/);
          const text = await Deno.readTextFile(recording);
          const forms = [
            SECRET,
            encodeURIComponent(SECRET),
            encodeURIComponent(SECRET).toLowerCase(),
            SECRET.replaceAll("/", "\\/"),
            JSON.stringify(SECRET.replaceAll("/", "\\/")).slice(1, -1),
            base64(`k:${SECRET}`).slice(4, -4),
            "agentos-secret-",
          ];
          for (const form of forms) {
            assert.ok(!text.includes(form), `the recording holds ${form}`);
          }
          assert.ok(text.includes("{secret}"));
          const saved = JSON.parse(text);
          const body = JSON.parse(saved.exchanges[0].response.body);
          assert.equal(body.keyOk, true, "the server did get the key");
          assert.equal(body.raw, "{secret}");
        },
      );
    }
    await server[Symbol.asyncDispose]();
    open = false;
    for (const skill of ["keyed-api", "tape-echo"]) {
      await t.step(
        `${skill}: --replay passes from the recording with the server gone`,
        async () => {
          const run = await cli(
            "skills",
            "test",
            skill,
            "--replay",
            `${home}/${skill}.recording.json`,
          );
          assert.equal(run.code, 0, run.stdout + run.stderr);
          assert.match(run.stdout, /1 passed, 0 failed/);
        },
      );
    }
  } finally {
    if (open) await server[Symbol.asyncDispose]();
  }
});
