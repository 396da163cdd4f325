/**
 * `agentos prefs` knows its keys and refuses values that cannot work;
 * `agentos secrets delete` names the identifiers there are; a call that
 * needs a missing credential names the command that stores it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture } from "./skills_helpers.ts";

Deno.test("agentos prefs and secrets refuse what cannot work and say what can", async (t) => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  const home = engine.paths.home;
  const cli = (...args: string[]) => runAgentos(home, args);

  await t.step(
    "prefs set refuses unknown keys and impossible values",
    async () => {
      const cases: [string[], RegExp][] = [
        [
          ["prefs", "set", "http.orgin_map", "{}"],
          /Unknown preference "http\.orgin_map" \(did you mean "http\.origin_map"\?\); see agentos prefs list/,
        ],
        [
          ["prefs", "set", "capability.llm", "nosuchskill"],
          /"capability\.llm" must be a skill that provides llm: openai-compatible; got "nosuchskill"/,
        ],
        [
          ["prefs", "set", "capability.lmm", "openai-compatible"],
          /No installed skill provides "lmm" \(did you mean "llm"\?\)/,
        ],
        [
          ["prefs", "set", "bridge.port", "99999"],
          /"bridge\.port" must be a port number from 1 to 65535, got 99999/,
        ],
        [
          ["prefs", "set", "bridge.autostart", "yes"],
          /"bridge\.autostart" must be true or false/,
        ],
      ];
      for (const [args, expected] of cases) {
        const run = await cli(...args);
        assert.equal(run.code, 1, args.join(" "));
        assert.match(run.stderr, expected, args.join(" "));
      }
      const ok = await cli(
        "prefs",
        "set",
        "capability.llm",
        "openai-compatible",
      );
      assert.equal(ok.code, 0, ok.stderr);
    },
  );

  await t.step(
    "prefs list shows every key with its meaning, default and value",
    async () => {
      const run = await cli("prefs", "list");
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        /^http\.origin_map\n {2}Send a skill's requests for an origin elsewhere.*\n {2}default: \{\}\n {2}value: {3}\(not set\)$/m,
      );
      assert.match(run.stdout, /^bridge\.port\n.*\n {2}default: 3456\n/m);
      assert.match(
        run.stdout,
        /^capability\.<name>\n.*\n.*\n {2}value: {3}\{"capability\.llm":"openai-compatible"\}$/m,
      );
    },
  );

  await t.step(
    "secrets delete without the right identifier lists the identifiers",
    async () => {
      // The value comes from stdin, never argv.
      let run = await runAgentos(home, [
        "secrets",
        "set",
        "keyed.test",
        "--identifier",
        "work",
      ], "k-123\n");
      assert.equal(run.code, 0, run.stderr);
      run = await cli("secrets", "delete", "keyed.test");
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /No credential for keyed\.test; its identifiers: work/,
      );
      assert.match(
        run.stderr,
        /agentos secrets delete keyed\.test --identifier work/,
      );
      run = await cli(
        "secrets",
        "delete",
        "keyed.test",
        "--identifier",
        "work",
      );
      assert.equal(run.code, 0, run.stderr);
    },
  );

  await t.step(
    "a call that needs a missing credential names the command that stores it",
    async () => {
      await engine.client().then((c) =>
        c.call("skills.add", { path: fixture("keyed-api") })
      );
      const run = await cli(
        "skills",
        "run",
        "keyed-api",
        "search",
        '{"q": "tea"}',
      );
      assert.equal(run.code, 1);
      assert.match(run.stderr, /agentos secrets set keyed\.test/);
    },
  );
});
