/**
 * The owner's host grants of a skill, stored in the real settings table:
 * taking back one host leaves the others granted; a host never granted is
 * refused with the ones there are; open web access is taken back alone.
 */
import assert from "node:assert/strict";
import { openDatabase, SettingsStore } from "../graph/mod.ts";
import { ErrorCode, RpcError } from "../errors.ts";
import { SkillGrantStore } from "./mod.ts";

Deno.test("SkillGrantStore.disallow() takes back exactly the host named", async () => {
  const dir = await Deno.makeTempDir();
  const db = openDatabase(`${dir}/agentos.db`);
  try {
    const store = new SkillGrantStore(new SettingsStore(db));
    store.allow("s", { host: "b.example:443" });
    store.allow("s", { host: "a.example:8443" });
    store.allow("s", { host: "c.example:80", openWeb: true });
    const after = store.disallow("s", { host: "b.example:443" });
    assert.deepEqual(after.hosts, ["a.example:8443", "c.example:80"]);
    assert.equal(after.openWeb, true);
    assert.deepEqual(store.get("s").hosts, ["a.example:8443", "c.example:80"]);
    assert.throws(
      () => store.disallow("s", { host: "b.example:443" }),
      (error: RpcError) =>
        error.code === ErrorCode.NotFound &&
        error.message.includes("a.example:8443, c.example:80"),
    );
    const closed = store.disallow("s", { openWeb: true });
    assert.deepEqual(
      { hosts: closed.hosts, openWeb: closed.openWeb },
      { hosts: ["a.example:8443", "c.example:80"], openWeb: false },
    );
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
