/**
 * The app token on its own: every character of a presented token counts,
 * and a token file readable by others is taken back to mode 0600.
 */
import assert from "node:assert/strict";
import { AppToken, readOrCreateTokenSync } from "./mod.ts";

Deno.test("AppToken.verify() compares the whole token: a change at any one position is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const token = AppToken.open(`${dir}/bridge.token`);
    const value = token.current();
    assert.equal(token.verify(value), true);
    assert.equal(token.verify(undefined), false);
    assert.equal(token.verify(value.slice(0, -1)), false);
    for (let i = 0; i < value.length; i++) {
      const other = value[i] === "A" ? "B" : "A";
      const changed = value.slice(0, i) + other + value.slice(i + 1);
      assert.equal(token.verify(changed), false, `position ${i}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readOrCreateTokenSync() tightens a token file of mode 0644 to 0600, and creates new ones 0600", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fresh = `${dir}/fresh.token`;
    const created = readOrCreateTokenSync(fresh);
    assert.equal(Deno.statSync(fresh).mode! & 0o777, 0o600);
    const loose = `${dir}/loose.token`;
    await Deno.writeTextFile(loose, `${created}\n`, { mode: 0o644 });
    await Deno.chmod(loose, 0o644);
    assert.equal(readOrCreateTokenSync(loose), created);
    assert.equal(Deno.statSync(loose).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
