/**
 * Approvals by form elicitation for keychain items (#27 item 2): the SDK's
 * real `Client` declaring `elicitation.form` and answering, a real engine,
 * real agentos-mcp and real sandboxed skills. A `keychain.read` of an item
 * the readme declares and the owner has not granted asks the person (allow
 * once / always / deny), built from the engine's own refusal; an item the
 * readme does not declare is refused outright, never asked; an item name
 * with control or bidi characters is shown escaped; a skill looping on
 * refused reads meets the prompts' rate limit.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { McpSession } from "./mcp_session.ts";
import { choose, formSession } from "./_elicitation.ts";

/** Reads the keychain item it is given; `loop` tries it many times in one call. */
const KEYS_SKILL = `from agentos import returns
from agentos.macos import keychain


@returns({"value": "string"})
async def read(service: str, **params):
    """Reads a keychain item."""
    value = await keychain.read(service=service)
    return {"value": "placeholder" if value.startswith("agentos-secret-") else "other"}


@returns({"tries": "integer"})
async def loop(service: str, fail: bool = False, **params):
    """Reads a keychain item twenty times, ignoring each refusal; then fails if asked to."""
    tries = 0
    for _ in range(20):
        try:
            await keychain.read(service=service)
        except Exception:
            tries += 1
    if fail:
        raise RuntimeError("gave up after %d tries" % tries)
    return {"tries": tries}
`;

/** Declared items: a plain one, and one whose name hides a C1 control and a bidi override. */
const HOSTILE_ITEM = "Evil\u202eTxt\u0085Name";

async function writeKeysSkill(dir: string): Promise<string> {
  const path = `${dir}/keys`;
  await Deno.mkdir(path, { recursive: true });
  await Deno.writeTextFile(
    `${path}/readme.md`,
    `---\nid: keys\nname: keys\ndescription: Reads keychain items of the approval tests\ncapabilities: [crypto]\nkeychain: ["Work Token", "Evil\\u202eTxt\\u0085Name"]\n---\n\n# keys\n`,
  );
  await Deno.writeTextFile(`${path}/tools.py`, KEYS_SKILL);
  return path;
}

Deno.test(
  "form elicitation for keychain items: once, always, deny, no answer; undeclared never asked; escaped; rate-limited",
  async (t) => {
    const skills = await Deno.makeTempDir({ prefix: "agentos-keyapprove-" });
    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "1" },
    });
    const rpc = await engine.client();
    await rpc.call("skills.add", { path: await writeKeysSkill(skills) });
    for (const identifier of ["Work Token", HOSTILE_ITEM]) {
      await rpc.call("secrets.set", {
        domain: "keychain",
        identifier,
        value: "s3cret-keychain-value",
      });
    }
    const read = (session: McpSession, service = "Work Token") =>
      session.call("skills_run", {
        skill: "keys",
        tool: "read",
        params: { service },
      });
    const granted = async () =>
      ((await rpc.call<
        {
          skills: {
            id: string;
            keychain: { item: string; granted: boolean }[];
          }[];
        }
      >("skills.list", {})).skills.find((s) => s.id === "keys")!).keychain
        .filter((k) => k.granted).map((k) => k.item);
    const audit = async () =>
      (await Deno.readTextFile(engine.paths.ioLog)).trimEnd().split("\n")
        .map((line) => JSON.parse(line))
        .filter((line) => line.op === "approval.prompt");

    await t.step("a client without forms gets the CLI command", async () => {
      await using session = await McpSession.open(engine.paths.home);
      const result = await read(session);
      assert.equal(result.isError, true);
      assert.match(
        result.text,
        /agentos skills allow keys --keychain \\?"Work Token\\?"/,
      );
      assert.ok(!session.traffic.join("").includes("elicitation/create"));
    });

    await t.step(
      "allow once: this call reads it, nothing is stored",
      async () => {
        const { session, asked } = await formSession(
          engine.paths.home,
          choose("allow_once"),
        );
        await using _session = session;
        const result = await read(session);
        assert.equal(result.isError, false, result.text);
        assert.equal(JSON.parse(result.text).result.value, "placeholder");
        assert.equal(asked.length, 1);
        assert.match(
          asked[0]!.message,
          /skill "keys" was refused to read the keychain item "Work Token"/,
        );
        assert.match(
          asked[0]!.message,
          /agentos skills allow keys --keychain "Work Token"/,
        );
        assert.deepEqual(await granted(), [], "once is never stored");
        assert.ok(!session.traffic.join("").includes("s3cret-keychain-value"));
      },
    );

    await t.step("deny: refused, not asked again this session", async () => {
      const { session, asked } = await formSession(
        engine.paths.home,
        choose("deny"),
      );
      await using _session = session;
      assert.equal((await read(session)).isError, true);
      const again = await read(session);
      assert.match(again.text, /denied it earlier in this session/);
      assert.equal(asked.length, 1);
      assert.deepEqual(await granted(), []);
    });

    await t.step("decline: refused like deny", async () => {
      const { session, asked } = await formSession(
        engine.paths.home,
        () => ({ action: "decline" }),
      );
      await using _session = session;
      const result = await read(session);
      assert.equal(result.isError, true);
      assert.match(result.text, /the user denied it/);
      assert.equal((await read(session)).isError, true);
      assert.equal(asked.length, 1);
      assert.deepEqual(await granted(), []);
    });

    await t.step("no answer: refused, nothing granted", async () => {
      const { session, asked } = await formSession(
        engine.paths.home,
        () => new Promise(() => {}),
        { AGENTOS_MCP_ASK_TIMEOUT_MS: "800" },
      );
      await using _session = session;
      const result = await read(session);
      assert.equal(result.isError, true);
      assert.match(result.text, /the user gave no answer/);
      assert.equal(asked.length, 1);
      assert.deepEqual(await granted(), []);
    });

    await t.step(
      "an undeclared item is refused outright, never asked",
      async () => {
        const { session, asked } = await formSession(
          engine.paths.home,
          choose("allow_always"),
        );
        await using _session = session;
        const result = await read(session, "Bank Vault");
        assert.equal(result.isError, true);
        assert.match(result.text, /its readme does not declare it/);
        assert.equal(asked.length, 0);
        // Nor can a forged answer grant it.
        await assert.rejects(
          rpc.call("approvals.answer", {
            grant: {
              kind: "keychain",
              skill: "keys",
              tool: "read",
              item: "Bank Vault",
            },
            answer: "allow_once",
          }),
          /does not declare the keychain item/,
        );
      },
    );

    await t.step(
      "an item name with control and bidi characters is shown escaped",
      async () => {
        const { session, asked } = await formSession(
          engine.paths.home,
          choose("allow_once"),
        );
        await using _session = session;
        const result = await read(session, HOSTILE_ITEM);
        assert.equal(result.isError, false, result.text);
        assert.equal(asked.length, 1);
        const message = asked[0]!.message;
        assert.ok(!message.includes("\u202e"), message);
        assert.ok(!message.includes("\u0085"), message);
        assert.match(message, /Evil\\u\{202e\}Txt\\u\{85\}Name/);
      },
    );

    await t.step(
      "a skill looping on refused reads: none for a call that succeeds, one per failed call, 3 per skill",
      async () => {
        const { session, asked } = await formSession(
          engine.paths.home,
          () => ({ action: "cancel" }),
        );
        await using _session = session;
        const loop = (fail: boolean) =>
          session.call("skills_run", {
            skill: "keys",
            tool: "loop",
            params: { service: "Work Token", fail },
          });
        const swallowed = await loop(false);
        assert.equal(swallowed.isError, false, swallowed.text);
        assert.equal(JSON.parse(swallowed.text).result.tries, 20);
        assert.equal(asked.length, 0, "a call that succeeds asks nothing");
        for (let i = 0; i < 5; i++) {
          assert.equal((await loop(true)).isError, true);
        }
        assert.equal(asked.length, 3);
      },
    );

    await t.step("allow always: the same grant as the CLI", async () => {
      const { session, asked } = await formSession(
        engine.paths.home,
        choose("allow_always"),
      );
      await using _session = session;
      assert.equal((await read(session)).isError, false);
      assert.deepEqual(await granted(), ["Work Token"]);
      assert.equal((await read(session)).isError, false);
      assert.equal(asked.length, 1, "granted: not asked again");
    });

    await t.step("every answer is in the audit", async () => {
      const lines = await audit();
      const answers = lines.map((l) => l.checks.answer);
      for (
        const answer of ["allow_once", "deny", "no_answer", "allow_always"]
      ) {
        assert.ok(answers.includes(answer), `${answer} in ${answers}`);
      }
      assert.ok(lines.every((l) => l.checks.kind === "keychain"));
      assert.ok(lines.some((l) => l.target === '--keychain "Work Token"'));
    });
    await Deno.remove(skills, { recursive: true });
  },
);
