/**
 * A hostile skill granted a program that sets a file's size (`truncate`)
 * with `--write` makes sparse files far past the call's write bound: each
 * is held to the 64 MiB a program may write to one file, but 200 of them
 * are 12.5 GiB of holes that take no room in the call's write area, so
 * the program gets no ENOSPC, and the copy-back landed them all, for the
 * owner's backup, sync and `git add` to read, call after call (#25, item 5: "nothing
 * beyond [the bound] lands"). Real engine, real CLI, real sandboxed
 * worker, real bubblewrap, the host's coreutils.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

Deno.test("shell.run: a sparse file past the write bound never lands in a writable grant", async () => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-red7-sparse-" }),
  );
  try {
    const folder = `${work}/folder`;
    await Deno.mkdir(folder);
    if (Deno.uid() === 0) {
      await Deno.chmod(work, 0o755);
      await new Deno.Command("chown", { args: ["65534:65534", folder] })
        .output();
    }
    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "1" },
    });
    const client = await engine.client();
    await client.call("skills.add", { path: fixture("git-tool") });
    const granted = await runAgentos(engine.paths.home, [
      "skills",
      "allow",
      "git-tool",
      "--run",
      "truncate",
      "--cwd",
      folder,
      "--write",
    ]);
    assert.equal(granted.code, 0, granted.stderr);
    const run = (args: string[]) =>
      client.call<{ result: Json }>("skills.run", {
        skill: "git-tool",
        tool: "run_other",
        params: { binary: "truncate", args },
      }).then((r) => r.result);
    const names = Array.from({ length: 200 }, (_, i) => `holes-${i}`);
    const big = await run(["-s", "64M", ...names]);
    let landed = 0;
    for await (const entry of Deno.readDir(folder)) {
      landed += (await Deno.stat(`${folder}/${entry.name}`)).size;
    }
    assert.ok(
      landed <= 64 * 1024 * 1024,
      `${landed} bytes landed past the 64 MiB bound (${JSON.stringify(big)})`,
    );
    assert.match(String(big.stderr), /write bound/);
    // Within the bound, it lands.
    const small = await run(["-s", "1M", "small"]);
    assert.equal(small.exit_code, 0, String(small.stderr));
    assert.equal((await Deno.stat(`${folder}/small`)).size, 1024 * 1024);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
