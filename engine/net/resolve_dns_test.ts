/**
 * `resolveWithDns()` asks for A and AAAA records together and keeps every
 * answer; an aborted lookup answers nothing. `localhost` is answered by
 * the resolver itself (RFC 6761, and the hosts file), so no network is
 * needed.
 */
import assert from "node:assert/strict";
import { resolveWithDns } from "./mod.ts";

Deno.test("resolveWithDns(): A and AAAA answers together", async () => {
  const addresses = await resolveWithDns("localhost");
  assert.ok(addresses.includes("127.0.0.1"), addresses.join(", "));
  assert.ok(addresses.includes("::1"), addresses.join(", "));
});

Deno.test("resolveWithDns(): the caller's signal, once aborted, stops the lookup", async () => {
  const live = new AbortController();
  assert.ok((await resolveWithDns("localhost", live.signal)).length >= 2);
  const aborted = new AbortController();
  aborted.abort();
  assert.deepEqual(await resolveWithDns("localhost", aborted.signal), []);
});
