/**
 * Baseline of the round-trip figures: a raw Unix-socket JSON echo.
 *
 * @module
 */
import { REPO_ROOT } from "../../tests/_task_command.ts";
import { serveEcho } from "../../bench/echo_server.ts";
import { pause, timed } from "./measure.ts";

/**
 * Round trips of a JSON line to a raw Deno Unix-socket echo server, in ms:
 * in its own process (like the engine: each trip wakes two processes) or
 * in this one.
 */
export async function rawEchoRoundTrips(
  runs: number,
  where: "own process" | "this process",
): Promise<number[]> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/echo.sock`;
  let child: Deno.ChildProcess | undefined;
  let listener: Deno.Listener | undefined;
  if (where === "own process") {
    child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--allow-read=${dir}`,
        `--allow-write=${dir}`,
        `--allow-net=unix:${path}`,
        `${REPO_ROOT}/bench/echo_server.ts`,
        path,
      ],
      stdout: "null",
    }).spawn();
  } else {
    listener = Deno.listen({ transport: "unix", path });
    serveEcho(listener);
  }
  let conn: Deno.UnixConn | undefined;
  for (let tries = 0; !conn; tries++) {
    if (tries === 1000) throw new Error("The echo server did not start");
    conn = await Deno.connect({ transport: "unix", path }).catch(async () => {
      await pause(10);
      return undefined;
    });
  }
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const buf = new Uint8Array(65536);
  let id = 0;
  // A JSON round trip: the client encodes its request and parses the echo,
  // as any JSON-RPC client must.
  const samples = await timed(async () => {
    const line = encoder.encode(
      JSON.stringify({ jsonrpc: "2.0", id: ++id, method: "engine.status" }) +
        "\n",
    );
    await conn.write(line);
    let got = 0;
    while (got < line.length) {
      got += (await conn.read(buf.subarray(got))) ?? line.length;
    }
    JSON.parse(decoder.decode(buf.subarray(0, got)));
  }, runs);
  conn.close();
  listener?.close();
  child?.kill();
  await child?.status;
  await Deno.remove(dir, { recursive: true });
  return samples;
}
