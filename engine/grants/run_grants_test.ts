/**
 * Programs that run other programs or code are never granted, by their
 * name or by the name their path resolves to: `awk` and `env` included.
 */
import assert from "node:assert/strict";
import { openDatabase, SettingsStore } from "../graph/mod.ts";
import { isInterpreter, RunGrantStore } from "./mod.ts";

Deno.test("RunGrantStore.allow() refuses awk and env, by name and by resolved path", async () => {
  const dir = await Deno.makeTempDir();
  const db = openDatabase(`${dir}/agentos.db`);
  try {
    const store = new RunGrantStore(new SettingsStore(db));
    for (const name of ["awk", "env"]) {
      assert.equal(isInterpreter(name), true, name);
      assert.throws(
        () =>
          store.allow("s", name, {
            path: `/usr/bin/${name}`,
            config: [],
            net: false,
          }),
        /runs other programs or code/,
      );
      // A harmless name resolving to it is refused by the resolved name.
      assert.throws(
        () =>
          store.allow("s", "tool", {
            path: `/usr/bin/${name}`,
            config: [],
            net: false,
          }),
        /runs other programs or code/,
      );
    }
    // Programs whose rule says never (an agent that runs commands, a
    // script host), by name and by the name they resolve to.
    for (const name of ["claude", "swift"]) {
      assert.throws(
        () =>
          store.allow("s", "tool", {
            path: `/usr/local/bin/${name}`,
            config: [],
            net: false,
          }),
        /runs other programs or code/,
      );
    }
    assert.deepEqual(store.get("s"), {});
    // The control: an ordinary program is granted.
    store.allow("s", "git", { path: "/usr/bin/git", config: [], net: false });
    assert.deepEqual(Object.keys(store.get("s")), ["git"]);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("isInterpreter(): every common shell and interpreter is refused by name, a plain program is not", () => {
  // The list a reviewer expects, written here apart from NEVER_RUNNABLE:
  // dropping any of them from the engine's list fails this test.
  const refused = [
    "sh",
    "bash",
    "dash",
    "zsh",
    "fish",
    "ksh",
    "mksh",
    "csh",
    "tcsh",
    "busybox",
    "env",
    "xargs",
    "sudo",
    "su",
    "python",
    "python3",
    "perl",
    "ruby",
    "node",
    "awk",
  ];
  for (const name of refused) assert.equal(isInterpreter(name), true, name);
  for (const name of ["git", "gh", "ls", "sqlite3"]) {
    assert.equal(isInterpreter(name), false, name);
  }
});
