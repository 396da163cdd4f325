import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

Deno.test("with bridge.autostart set, the engine starts the bridge beside it and stops it at shutdown", async () => {
  const port = freePort();
  const home = await Deno.makeTempDir({ prefix: "agentos-autostart-" });
  try {
    {
      await using engine = await EngineProcess.start({
        home,
        env: { AGENTOS_SPARE_WORKERS: "0" },
      });
      const client = await engine.client();
      assert.equal(
        await answers(`http://127.0.0.1:${port}/sdk.js`),
        false,
        "no bridge until asked",
      );
      await client.call("prefs.set", { key: "bridge.autostart", value: true });
      await client.call("prefs.set", { key: "bridge.port", value: port });
    }
    const engine = await EngineProcess.start({
      home,
      env: { AGENTOS_SPARE_WORKERS: "0" },
    });
    const client = await engine.client();
    const deadline = Date.now() + 20_000;
    while (!await answers(`http://127.0.0.1:${port}/sdk.js`)) {
      assert.ok(Date.now() < deadline, "the bridge did not come up");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const status = await client.call<{ bridge: { url: string; pid: number } }>(
      "engine.status",
    );
    assert.equal(status.bridge.url, `http://127.0.0.1:${port}/`);
    await client.call("engine.shutdown");
    assert.equal(await engine.exitCode(), 0);
    assert.equal(
      await answers(`http://127.0.0.1:${port}/sdk.js`),
      false,
      "the bridge stopped with the engine",
    );
    await engine[Symbol.asyncDispose]();
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
