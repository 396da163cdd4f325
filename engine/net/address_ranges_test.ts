/**
 * Ranges of the address guard that have no other test: the deprecated
 * site-local fec0::/10, Teredo 2001::/32 and the top of multicast (239/8)
 * are never public; their neighbours are.
 */
import assert from "node:assert/strict";
import { addressKind } from "./mod.ts";

Deno.test("addressKind(): fec0::/10, Teredo 2001::/32 and 239/8 are not public; the addresses beside them are", () => {
  const cases: [string, string][] = [
    ["fec0::1", "private"],
    ["feff:ffff::1", "private"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved"],
    ["2001::1", "reserved"],
    ["2001:1::1", "public"],
    ["239.255.255.250", "multicast"],
    ["239.0.0.1", "multicast"],
    ["240.0.0.1", "reserved"],
    ["223.255.255.255", "public"],
  ];
  for (const [address, kind] of cases) {
    assert.equal(addressKind(address), kind, address);
  }
});

Deno.test("addressKind(): the three TEST-NETs are reserved, and '::' may stand for a single group", () => {
  const cases: [string, string][] = [
    ["192.0.2.7", "reserved"],
    ["198.51.100.7", "reserved"],
    ["203.0.113.7", "reserved"],
    ["203.0.114.7", "public"],
    // `::` replacing exactly one zero group is still a valid IPv6 literal.
    ["2606:4700:4700:1:2:3::1111", "public"],
    ["fd00:1:2:3:4:5::6", "unique-local"],
  ];
  for (const [address, kind] of cases) {
    assert.equal(addressKind(address), kind, address);
  }
});
