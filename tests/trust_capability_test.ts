/**
 * The capability broker completed: provider order with credentials in
 * the reasons, `capability.call` from inside a skill with failover, a
 * depth limit and no cycles, and providers disabled or removed while
 * callers keep working.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { fixture, rejectsWith } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

/** Writes a skill directory under `root` and returns its path. */
async function writeSkill(
  root: string,
  id: string,
  source: string,
): Promise<string> {
  const dir = `${root}/${id}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/readme.md`,
    `---\nid: ${id}\nname: ${id}\ndescription: test provider\n---\n`,
  );
  await Deno.writeTextFile(`${dir}/tool.py`, source);
  return dir;
}

Deno.test("capabilities: order with credentials, calls from inside skills, depth, cycles and failover", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "agentos-cap-skills-" });
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "2" },
  });
  const client = await engine.client();
  const add = (path: string) => client.call("skills.add", { path });
  try {
    // b is added first: a joins after it, until a credential puts it ahead.
    for (const letter of ["b", "a"]) {
      await add(
        await writeSkill(
          root,
          `quotes-${letter}`,
          `from agentos import connection, provides, returns

connection("api", base_url="https://api.${letter}-quotes.test", auth={"type": "api_key"})


@returns({"by": "string"})
@provides("quote_test")
async def quote(**params):
    return {"by": "quotes-${letter}", "has_key": "auth" in params}
`,
        ),
      );
    }

    await t.step(
      "providers with a stored credential come before those missing one, with the reason",
      async () => {
        let list = await client.call<{ skill: string; reason: string }[]>(
          "capability.providers",
          { name: "quote_test" },
        );
        assert.deepEqual(list.map((p) => p.skill), ["quotes-b", "quotes-a"]);
        assert.match(
          list[0]!.reason,
          /^added .*; missing a credential for b-quotes\.test \(agentos secrets set b-quotes\.test\)$/,
        );
        await client.call("secrets.set", {
          domain: "a-quotes.test",
          value: { key: "k-a" },
        });
        list = await client.call("capability.providers", {
          name: "quote_test",
        });
        assert.deepEqual(list.map((p) => p.skill), ["quotes-a", "quotes-b"]);
        assert.match(
          list[0]!.reason,
          /; credential present for a-quotes\.test$/,
        );
        const out = await client.call<{ result: Json }>("capability.invoke", {
          name: "quote_test",
          params: {},
        });
        assert.deepEqual(out.result, { by: "quotes-a", has_key: true });
        await client.call("prefs.set", {
          key: "capability.quote_test",
          value: "quotes-b",
        });
        list = await client.call("capability.providers", {
          name: "quote_test",
        });
        assert.equal(
          list[0]!.reason,
          "preferred (prefs capability.quote_test)",
        );
      },
    );

    for (const name of ["cap-caller", "cap-crash", "cap-ok", "cap-picky"]) {
      await add(fixture(name));
    }
    const ask = (text = "hi") =>
      client.call<{ result: { answer: Json } }>("skills.run", {
        skill: "cap-caller",
        tool: "ask",
        params: { name: "echo_test", text },
      });

    await t.step(
      "a skill calls a capability; a crashing provider is failed over and the attempts audited",
      async () => {
        // cap-picky was added last, but cap-crash is preferred.
        await client.call("prefs.set", {
          key: "capability.echo_test",
          value: "cap-crash",
        });
        const { result } = await ask("hi");
        assert.deepEqual(result.answer, { echo: "hi", by: "cap-picky" });
        const lines = (await Deno.readTextFile(engine.paths.ioLog)).trimEnd()
          .split("\n").map((l) => JSON.parse(l));
        const call = lines.findLast((l) => l.op === "capability.call")!;
        assert.equal(call.skill, "cap-caller");
        assert.equal(call.target, "echo_test");
        assert.equal(call.status, "ok");
        assert.deepEqual(call.checks, {
          uses: "declared",
          param_urls: "0 in caller's egress set",
          depth: "2/3",
          cycle: "none",
          provider: "cap-picky",
          attempts: "cap-crash:failed,cap-picky:ok",
        });
        await client.call("prefs.set", {
          key: "capability.echo_test",
          value: null,
        });
      },
    );

    await t.step(
      "a skill cannot re-enter itself through a capability",
      async () => {
        await rejectsWith(
          client.call("skills.run", { skill: "cap-caller", tool: "loop" }),
          ErrorCode.SkillFailed,
          /capability\.call "loop_test" refused: its only providers \(cap-caller\) are already in this call chain \(cap-caller\); a skill cannot re-enter itself/,
        );
      },
    );

    await t.step("calls nest at most three deep", async () => {
      for (const n of [1, 2, 3, 4]) {
        const next = n < 4
          ? `return {"depth": ${n}, "inner": await capability.call("hop_${
            n + 1
          }", {})}`
          : `return {"depth": ${n}}`;
        await add(
          await writeSkill(
            root,
            `hop-${n}`,
            `from agentos import capability, provides, returns


@returns({"depth": "integer"})
@provides("hop_${n}")
async def hop(**params):
    ${next}
`,
          ),
        );
      }
      const error = await rejectsWith(
        client.call("capability.invoke", { name: "hop_1", params: {} }),
        ErrorCode.SkillFailed,
        /capability\.call "hop_4" refused: calls nest at most 3 deep \(hop-1 → hop-2 → hop-3\)/,
      );
      const attempts = (error.data as { attempts: Json[] }).attempts;
      assert.deepEqual(attempts.map((a) => [a.skill, a.ok]), [[
        "hop-1",
        false,
      ]]);
      // Two deep is fine.
      const { result } = await client.call<{ result: Json }>(
        "capability.invoke",
        { name: "hop_3", params: {} },
      );
      assert.deepEqual(result, { depth: 3, inner: { depth: 4 } });
    });

    await t.step(
      "removing or disabling a provider leaves callers working while another exists",
      async () => {
        await client.call("skills.remove", { id: "cap-crash" });
        await client.call("prefs.set", {
          key: "capability.echo_test",
          value: "cap-ok",
        });
        assert.equal((await ask()).result.answer.by, "cap-ok");
        await client.call("skills.remove", { id: "cap-ok" });
        assert.equal((await ask()).result.answer.by, "cap-picky");
        const invoked = await client.call<{ result: Json }>(
          "capability.invoke",
          { name: "echo_test", params: { text: "x" } },
        );
        assert.equal(invoked.result.by, "cap-picky");
        await client.call("skills.disable", { id: "cap-picky" });
        await rejectsWith(
          ask(),
          ErrorCode.SkillFailed,
          /No enabled skill provides "echo_test"/,
        );
      },
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
