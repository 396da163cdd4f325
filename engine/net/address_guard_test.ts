import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../errors.ts";
import { addressKind, checkAddress, isIpLiteral } from "./address_guard.ts";

Deno.test("addressKind() refuses every private, local and special range, IPv4 inside IPv6 included", () => {
  const cases: [string, string][] = [
    ["93.184.215.14", "public"],
    ["2606:4700::1111", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["::1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["100.64.0.1", "cgnat"],
    ["100.127.255.255", "cgnat"],
    ["100.128.0.1", "public"],
    ["224.0.0.251", "multicast"],
    ["ff02::fb", "multicast"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["255.255.255.255", "reserved"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::127.0.0.1", "loopback"],
    ["fe80::1%eth0", "link-local"],
    ["::7f00:1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "link-local"],
    ["64:ff9b::a00:1", "private"],
    ["2002:c0a8:0101::1", "private"],
    ["2001:db8::1", "reserved"],
  ];
  for (const [address, kind] of cases) {
    assert.equal(addressKind(address), kind, address);
  }
  assert.equal(isIpLiteral("1.2.3.4"), true);
  assert.equal(isIpLiteral("::1"), true);
  assert.equal(isIpLiteral("fe80::1%eth0"), true);
  assert.equal(isIpLiteral("example.com"), false);
  assert.equal(isIpLiteral("1.2.3.256"), false);
});

Deno.test("checkAddress() checks every resolved address: one private answer refuses the host", async () => {
  const resolve = (host: string) =>
    Promise.resolve(
      host === "mixed.example"
        ? ["93.184.215.14", "127.0.0.1"]
        : host === "public.example"
        ? ["2606:4700::1111", "93.184.215.14"]
        : [],
    );
  const options = { resolve, privateAllowed: false, skillId: "s" };
  assert.deepEqual(await checkAddress("public.example", options), {
    address: "2606:4700::1111",
    kind: "public",
  });
  await assert.rejects(
    checkAddress("mixed.example", options),
    (error: RpcError) =>
      error.code === ErrorCode.Forbidden &&
      /resolves to loopback address 127\.0\.0\.1.*agentos skills allow s mixed\.example/
        .test(error.message),
  );
  await assert.rejects(
    checkAddress("nowhere.example", options),
    /Cannot resolve host "nowhere\.example"/,
  );
  await assert.rejects(checkAddress("localhost", options), /loopback/);
  // RFC 6761: every *.localhost name is loopback, whatever DNS would say.
  await assert.rejects(
    checkAddress("foo.localhost", {
      ...options,
      resolve: () => Promise.resolve(["93.184.215.14"]),
    }),
    /"foo\.localhost": it resolves to loopback address 127\.0\.0\.1/,
  );
  assert.deepEqual(
    await checkAddress("foo.localhost", { ...options, privateAllowed: true }),
    { address: "127.0.0.1", kind: "loopback" },
  );
  await assert.rejects(checkAddress("169.254.169.254", options), /link-local/);
  assert.deepEqual(
    await checkAddress("mixed.example", { ...options, privateAllowed: true }),
    { address: "93.184.215.14", kind: "public" },
  );
});
