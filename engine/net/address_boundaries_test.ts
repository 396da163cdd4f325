/**
 * Every range of the address guard at its edges: the first and last
 * address inside, the neighbours just outside, and public addresses that
 * share one octet or word with a range (a check that looked at one field
 * only would take them in). Also the literals the parser must refuse,
 * which are then never public.
 */
import assert from "node:assert/strict";
import { addressKind, isIpLiteral } from "./mod.ts";

const IPV4: [string, string][] = [
  ["0.0.0.0", "unspecified"],
  ["0.255.255.255", "unspecified"],
  ["1.0.0.0", "public"],
  ["9.255.255.255", "public"],
  ["10.0.0.0", "private"],
  ["10.255.255.255", "private"],
  ["11.0.0.0", "public"],
  ["100.63.255.255", "public"],
  ["100.64.0.0", "cgnat"],
  ["100.127.255.255", "cgnat"],
  ["100.128.0.0", "public"],
  ["101.64.0.1", "public"],
  ["126.255.255.255", "public"],
  ["127.0.0.0", "loopback"],
  ["127.255.255.255", "loopback"],
  ["128.0.0.0", "public"],
  ["169.253.255.255", "public"],
  ["169.254.0.0", "link-local"],
  ["169.254.255.255", "link-local"],
  ["169.255.0.0", "public"],
  ["168.254.0.1", "public"],
  ["172.15.255.255", "public"],
  ["172.16.0.0", "private"],
  ["172.31.255.255", "private"],
  ["172.32.0.0", "public"],
  ["171.16.0.1", "public"],
  ["173.31.0.1", "public"],
  ["192.167.255.255", "public"],
  ["192.168.0.0", "private"],
  ["192.168.255.255", "private"],
  ["192.169.0.0", "public"],
  ["191.168.0.1", "public"],
  ["223.255.255.255", "public"],
  ["224.0.0.0", "multicast"],
  ["239.255.255.255", "multicast"],
  ["240.0.0.0", "reserved"],
  ["255.255.255.255", "reserved"],
  // IETF protocol assignments, TEST-NET-1 and their neighbours.
  ["192.0.0.0", "reserved"],
  ["192.0.0.255", "reserved"],
  ["192.0.1.0", "public"],
  ["192.0.2.0", "reserved"],
  ["192.0.2.255", "reserved"],
  ["192.0.3.0", "public"],
  ["192.1.0.1", "public"],
  ["193.0.2.1", "public"],
  // Benchmarking 198.18/15.
  ["198.17.255.255", "public"],
  ["198.18.0.0", "reserved"],
  ["198.19.255.255", "reserved"],
  ["198.20.0.0", "public"],
  ["197.18.0.1", "public"],
  ["199.19.0.1", "public"],
  // TEST-NET-2 and -3.
  ["198.51.99.255", "public"],
  ["198.51.100.0", "reserved"],
  ["198.51.100.255", "reserved"],
  ["198.51.101.0", "public"],
  ["198.50.100.1", "public"],
  ["199.51.100.1", "public"],
  ["203.0.112.255", "public"],
  ["203.0.113.0", "reserved"],
  ["203.0.113.255", "reserved"],
  ["203.1.113.1", "public"],
  ["204.0.113.1", "public"],
  // The 6to4 relay anycast 192.88.99/24.
  ["192.88.98.255", "public"],
  ["192.88.99.0", "reserved"],
  ["192.88.99.255", "reserved"],
  ["192.88.100.0", "public"],
  ["192.89.99.1", "public"],
  ["193.88.99.1", "public"],
  // Public addresses sharing one field with a range.
  ["8.0.0.8", "public"],
  ["8.0.2.8", "public"],
  ["8.18.8.8", "public"],
  ["8.19.8.8", "public"],
  ["8.51.100.8", "public"],
  ["8.8.100.8", "public"],
  ["8.88.99.8", "public"],
  ["8.8.99.8", "public"],
  ["8.0.113.8", "public"],
  ["8.8.113.8", "public"],
  ["8.168.8.8", "public"],
  ["8.254.8.8", "public"],
  ["8.8.8.255", "public"],
];

const IPV6: [string, string][] = [
  ["::", "unspecified"],
  ["::1", "loopback"],
  ["[::1]", "loopback"],
  // Mapped and IPv4-compatible: the IPv4 address inside decides.
  ["::ffff:10.0.0.1", "private"],
  ["::ffff:8.8.8.8", "public"],
  ["::10.0.0.1", "private"],
  ["::0.0.0.1", "loopback"],
  ["::ffff:0.0.0.0", "unspecified"],
  ["::ffff:192.88.99.1", "reserved"],
  // NAT64 64:ff9b::/96.
  ["64:ff9b::10.0.0.1", "private"],
  ["64:ff9b::8.8.8.8", "public"],
  ["64:ff9b::127.0.0.1", "loopback"],
  ["64:1::a00:1", "public"],
  ["65:ff9b::a00:1", "public"],
  // 6to4: the IPv4 address is in the second and third words.
  ["2002:a00:1::", "private"],
  ["2002:7f00:1::", "loopback"],
  ["2002:808:808::1", "public"],
  // Unique local fc00::/7.
  ["fbff:ffff::1", "public"],
  ["fc00::", "unique-local"],
  ["fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique-local"],
  // Link-local fe80::/10, site-local fec0::/10, multicast ff00::/8.
  ["fe80::", "link-local"],
  ["fe81::1", "link-local"],
  ["febf:ffff::1", "link-local"],
  ["fec0::", "private"],
  ["fec1::1", "private"],
  ["feff:ffff::1", "private"],
  ["ff00::", "multicast"],
  ["ff01::1", "multicast"],
  ["ff0e::1", "multicast"],
  ["ffff:ffff::1", "multicast"],
  // Documentation 2001:db8::/32, Teredo 2001::/32, discard 100::/64.
  ["2001:db8::", "reserved"],
  ["2001:db8:ffff::1", "reserved"],
  ["2001:db7::1", "public"],
  ["2001:db9::1", "public"],
  ["2001::", "reserved"],
  ["2001:0:ffff::1", "reserved"],
  ["2001:2::1", "public"],
  ["2000:db8::1", "public"],
  ["100::", "reserved"],
  ["100::ffff:ffff:ffff:ffff", "reserved"],
  ["100:0:0:1::1", "public"],
  ["100:0:1::1", "public"],
  ["100:1::1", "public"],
  ["101::1", "public"],
  // Every word written out, and `::` at either end.
  ["2606:4700:4700:0:0:0:0:1111", "public"],
  ["2606:4700:4700:1:2:3:4::", "public"],
  ["::2606:4700:4700:1:2:3:4", "public"],
];

/** Not addresses: never public, and not IP literals. */
const NOT_ADDRESSES = [
  "not an address",
  "8.8.8.256",
  "8.8.8",
  "8.8.8.8.8",
  "8.8.8.1234",
  "8.8.-8.8",
  "g::1",
  "12345::1",
  "1::2::3",
  "1:2:3:4:5:6:7",
  "1:2:3:4:5:6:7:8:9",
  "1:2:3:4:5:6:7:8::",
  "::ffff:1.2.3.256",
];

Deno.test("addressKind(): every IPv4 range at its edges, and its public neighbours", () => {
  for (const [address, kind] of IPV4) {
    assert.equal(addressKind(address), kind, address);
    assert.equal(isIpLiteral(address), true, address);
  }
});

Deno.test("addressKind(): every IPv6 range at its edges, IPv4 inside IPv6 by the IPv4 address", () => {
  for (const [address, kind] of IPV6) {
    assert.equal(addressKind(address), kind, address);
    assert.equal(isIpLiteral(address), true, address);
  }
});

Deno.test("addressKind(): what does not parse as an address is reserved, never public", () => {
  for (const text of NOT_ADDRESSES) {
    assert.equal(addressKind(text), "reserved", text);
    assert.equal(isIpLiteral(text), false, text);
  }
});
