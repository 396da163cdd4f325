/**
 * The raw baseline of the engine's round trips: a Deno Unix-socket server
 * that writes back every chunk it reads, and nothing else.
 *
 *   deno run --allow-read=DIR --allow-write=DIR --allow-net=unix:PATH \
 *     bench/echo_server.ts PATH
 *
 * @module
 */

/**
 * Serves echo on a Unix socket until the listener is closed.
 *
 * @param listener a listening Unix socket
 */
export async function serveEcho(listener: Deno.Listener): Promise<void> {
  for await (const conn of listener) {
    (async () => {
      const buf = new Uint8Array(65536);
      while (true) {
        const n = await conn.read(buf).catch(() => null);
        if (!n) break;
        await conn.write(buf.subarray(0, n));
      }
      conn.close();
    })();
  }
}

if (import.meta.main) {
  await serveEcho(Deno.listen({ transport: "unix", path: Deno.args[0]! }));
}
