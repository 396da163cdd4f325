import assert from "node:assert/strict";
import { Logger } from "./logger.ts";

Deno.test("Logger writes timestamped levelled lines and skips levels below its own", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = new Logger(`${dir}/engine.log`, {
      level: "info",
      now: () => new Date("2026-01-02T03:04:05.000Z"),
    });
    log.debug("hidden");
    log.info("Engine listening", { pid: 42, path: "/tmp/x y" });
    log.error("Boom\nsecond line");
    log.close();
    const text = await Deno.readTextFile(`${dir}/engine.log`);
    assert.equal(
      text,
      '2026-01-02T03:04:05.000Z INFO  Engine listening pid=42 path="/tmp/x y"\n' +
        "2026-01-02T03:04:05.000Z ERROR Boom ⏎ second line\n",
    );
    assert.equal((await Deno.stat(`${dir}/engine.log`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Logger rotates by size and keeps a bounded number of files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = new Logger(`${dir}/engine.log`, { maxBytes: 1000, keep: 2 });
    for (let i = 0; i < 200; i++) log.info(`line ${i} ${"x".repeat(40)}`);
    log.close();
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["engine.log", "engine.log.1", "engine.log.2"]);
    let total = 0;
    for (const name of names) {
      const size = (await Deno.stat(`${dir}/${name}`)).size;
      assert.ok(size <= 1000, `${name} is ${size} bytes`);
      total += size;
    }
    assert.ok(total <= 3000);
    assert.match(await Deno.readTextFile(`${dir}/engine.log`), /line 199/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
