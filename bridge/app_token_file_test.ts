/**
 * The app token's file on its own: its name, a rotation seen by an open
 * token at once, an empty file waited for (a concurrent creator) and
 * refused after about half a second, garbage refused at once, errors other
 * than "missing" or "already there" passed on, fresh tokens always of the
 * token's form, a rotated file 0600, and a file only its owner can read
 * left as it is.
 */
import assert from "node:assert/strict";
import {
  AppToken,
  readOrCreateTokenSync,
  rotateTokenSync,
  TOKEN_FILE,
} from "./mod.ts";

const FORM = /^aos_app_[A-Za-z0-9_-]{43}$/;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "agentos-token-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the app token lives in bridge.token", () => {
  assert.equal(TOKEN_FILE, "bridge.token");
});

Deno.test("AppToken: a rotated file is seen at once; the old token stops working", () =>
  withDir(async (dir) => {
    const path = `${dir}/${TOKEN_FILE}`;
    const token = AppToken.open(path);
    const old = token.current();
    const fresh = rotateTokenSync(path);
    assert.notEqual(fresh, old);
    assert.equal(token.verify(fresh), true);
    assert.equal(token.verify(old), false);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  }));

Deno.test("readOrCreateTokenSync(): an empty file is waited for, about half a second, then refused; garbage at once", () =>
  withDir(async (dir) => {
    const empty = `${dir}/empty`;
    await Deno.writeTextFile(empty, "");
    let started = performance.now();
    assert.throws(() => readOrCreateTokenSync(empty), /Invalid app token file/);
    const waited = performance.now() - started;
    assert.ok(waited >= 400, `refused after ${waited.toFixed(0)} ms`);
    const garbage = `${dir}/garbage`;
    await Deno.writeTextFile(garbage, "not a token\n");
    started = performance.now();
    assert.throws(
      () => readOrCreateTokenSync(garbage),
      /Invalid app token file/,
    );
    assert.ok(performance.now() - started < 300);
  }));

Deno.test("readOrCreateTokenSync(): a token a concurrent creator writes while it waits is the one returned", () =>
  withDir(async (dir) => {
    const path = `${dir}/${TOKEN_FILE}`;
    await Deno.writeTextFile(path, "");
    const token = `aos_app_${"A".repeat(43)}`;
    // Another process writes the token 150 ms from now (this thread sleeps).
    const writer = new Deno.Command("sh", {
      args: ["-c", `sleep 0.15; printf '%s\\n' "$1" > "$2"`, "w", token, path],
    }).spawn();
    try {
      assert.equal(readOrCreateTokenSync(path), token);
    } finally {
      await writer.status;
    }
  }));

Deno.test("readOrCreateTokenSync(): a directory or a missing folder is an error of its own, not retried", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/a-directory`);
    assert.throws(
      () => readOrCreateTokenSync(`${dir}/a-directory`),
      (error: unknown) => !(error instanceof TypeError),
    );
    assert.throws(
      () => readOrCreateTokenSync(`${dir}/missing/${TOKEN_FILE}`),
      Deno.errors.NotFound,
    );
  }));

Deno.test("new tokens always have the token's form (base64url, no padding)", () =>
  withDir((dir) => {
    for (let i = 0; i < 100; i++) {
      const path = `${dir}/t${i}`;
      assert.match(readOrCreateTokenSync(path), FORM);
      assert.match(rotateTokenSync(path), FORM);
    }
    return Promise.resolve();
  }));

Deno.test("readOrCreateTokenSync(): a file only its owner can use keeps its mode", () =>
  withDir(async (dir) => {
    const path = `${dir}/${TOKEN_FILE}`;
    const token = `aos_app_${"b".repeat(43)}`;
    for (const mode of [0o700, 0o400, 0o600]) {
      await Deno.writeTextFile(path, `${token}\n`);
      await Deno.chmod(path, mode);
      assert.equal(readOrCreateTokenSync(path), token);
      assert.equal(
        (await Deno.stat(path)).mode! & 0o777,
        mode,
        mode.toString(8),
      );
    }
  }));
