/**
 * `checkAddress()` around its lookup: a name merely ending in `localhost`
 * is looked up like any other; a resolver that fails answers "cannot
 * resolve" unless the caller aborted (then the abort is what comes back);
 * the refusal's suggested grant names the port, with brackets around an
 * IPv6 literal.
 */
import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../errors.ts";
import { checkAddress } from "./mod.ts";

const PUBLIC = () => Promise.resolve(["93.184.215.14"]);

Deno.test("checkAddress(): only localhost and *.localhost are loopback by name", async () => {
  for (const host of ["notlocalhost", "localhost.example", "xlocalhost"]) {
    assert.deepEqual(
      await checkAddress(host, {
        resolve: PUBLIC,
        privateAllowed: false,
        skillId: "s",
      }),
      { address: "93.184.215.14", kind: "public" },
      host,
    );
  }
});

Deno.test("checkAddress(): a failing resolver is 'cannot resolve'; an aborted call gets its abort back", async () => {
  const failing = () => Promise.reject(new Error("resolver down"));
  await assert.rejects(
    checkAddress("a.example", {
      resolve: failing,
      privateAllowed: false,
      skillId: "s",
      signal: new AbortController().signal,
    }),
    (error: RpcError) =>
      error instanceof RpcError && error.code === ErrorCode.Forbidden &&
      /Cannot resolve host "a\.example"/.test(error.message),
  );
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    checkAddress("a.example", {
      resolve: failing,
      privateAllowed: false,
      skillId: "s",
      signal: controller.signal,
    }),
    /resolver down/,
  );
});

Deno.test("checkAddress(): the refusal suggests a grant by host and port, an IPv6 literal in brackets", async () => {
  const cases: [string, number | undefined, string][] = [
    ["10.0.0.1", 8080, "agentos skills allow s 10.0.0.1:8080"],
    ["fd00::1", 8443, "agentos skills allow s [fd00::1]:8443"],
    ["10.0.0.1", undefined, "agentos skills allow s 10.0.0.1"],
  ];
  for (const [host, port, suggestion] of cases) {
    await assert.rejects(
      checkAddress(host, {
        resolve: PUBLIC,
        privateAllowed: false,
        skillId: "s",
        port,
      }),
      (error: RpcError) => error.message.endsWith(suggestion),
      `${host} ${port}`,
    );
  }
});
