/**
 * A program granted a folder with `--write` cannot change what git reads
 * as code or config in the folder's `.git`, name by name: `config`,
 * `config.worktree`, `commondir` (files) and `hooks`, `info`, `modules`,
 * `worktrees` (folders), each tried from inside a real confined run (real
 * bubblewrap, the real stage and copy-back), while a plain file beside
 * them is written and lands.
 */
import assert from "node:assert/strict";
import { CallCredentials } from "../credentials/mod.ts";
import { ShellBroker } from "./mod.ts";
import { openTestSandbox } from "../../../tests/_sandbox.ts";

const FILES = ["config", "config.worktree", "commondir"];
const FOLDERS = ["hooks", "info", "modules", "worktrees"];

Deno.test("shell.run --write: every piece of .git metadata stays as it was, a plain file lands", async () => {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-shell-git-" }),
  );
  const sandbox = await openTestSandbox(dir);
  try {
    assert.equal(sandbox.kind, "bubblewrap", sandbox.detail);
    const broker = new ShellBroker({ sandbox, stageDir: `${dir}/stage` });
    const folder = `${dir}/repo`;
    await Deno.mkdir(`${folder}/.git`, { recursive: true });
    for (const name of FILES) {
      await Deno.writeTextFile(`${folder}/.git/${name}`, "original\n");
    }
    for (const name of FOLDERS) await Deno.mkdir(`${folder}/.git/${name}`);
    // Open to any uid the program runs as: only the confinement protects.
    for (const name of FILES) await Deno.chmod(`${folder}/.git/${name}`, 0o666);
    for (const name of FOLDERS) {
      await Deno.chmod(`${folder}/.git/${name}`, 0o777);
    }
    await Deno.chmod(`${folder}/.git`, 0o777);
    await Deno.chmod(folder, 0o777);
    const run = (program: string, args: string[], input?: string) =>
      broker.run({
        skillId: "s",
        declared: [program],
        grants: {
          [program]: {
            path: `/usr/bin/${program}`,
            config: [],
            net: false,
            cwd: folder,
            write: true,
          },
        },
        credentials: new CallCredentials(false),
      }, { binary: program, args, cwd: folder, ...(input ? { input } : {}) });
    for (const name of FILES) {
      await run("tee", ["-a", `.git/${name}`], "pwned\n");
      assert.equal(
        await Deno.readTextFile(`${folder}/.git/${name}`),
        "original\n",
        name,
      );
    }
    for (const name of FOLDERS) {
      await run("touch", [`.git/${name}/planted`]);
      assert.equal(
        await Deno.stat(`${folder}/.git/${name}/planted`).then(
          () => true,
          () => false,
        ),
        false,
        name,
      );
    }
    // The control: the same program writes a plain file, and it lands.
    const plain = await run("tee", ["-a", "notes.txt"], "kept\n");
    assert.equal(plain.value.exit_code, 0, JSON.stringify(plain.value));
    assert.equal(await Deno.readTextFile(`${folder}/notes.txt`), "kept\n");
  } finally {
    await sandbox.close();
    await Deno.remove(dir, { recursive: true });
  }
});
