/**
 * A cookie session's row read back: the engine's record list (`__jar__`)
 * keeps each well-formed cookie, a session cookie (expires null) and a
 * dated one (expires in Unix seconds) alike; malformed records are left
 * out; the row's plain fields are loose cookies of its domain.
 */
import assert from "node:assert/strict";
import {
  type Cookie,
  cookiesFromRow,
  JAR_FIELD,
  rowFromCookies,
} from "./stored_cookies.ts";

const BASE: Cookie = {
  name: "sid",
  value: "v1",
  domain: "example.com",
  hostOnly: true,
  path: "/",
  expires: null,
  secure: true,
  httpOnly: true,
  sameSite: "Lax",
};

Deno.test("cookiesFromRow(): a stored record list read back, session and dated cookies kept, malformed ones left out", () => {
  const dated = { ...BASE, name: "dated", expires: 1_900_000_000 };
  const records: [string, unknown, boolean][] = [
    ["session cookie", BASE, true],
    ["dated cookie", dated, true],
    ["expires as text", { ...BASE, name: "t", expires: "1900000000" }, false],
    ["no name", { ...BASE, name: 5 }, false],
    ["no value", { ...BASE, name: "nv", value: null }, false],
    ["no domain", { ...BASE, name: "nd", domain: undefined }, false],
    ["no path", { ...BASE, name: "np", path: 1 }, false],
    ["not an object", "sid=v1", false],
  ];
  for (const [name, record, kept] of records) {
    const fields = { [JAR_FIELD]: JSON.stringify([record]) };
    const cookies = cookiesFromRow(fields, "example.com");
    assert.equal(cookies.length, kept ? 1 : 0, name);
    if (kept) assert.deepEqual(cookies[0], record, name);
  }
  // Round trip: the row the engine writes reads back whole.
  const row = rowFromCookies([BASE, dated]);
  assert.deepEqual(row.sid, "v1");
  assert.deepEqual(cookiesFromRow(row, "example.com"), [BASE, dated]);
  // Plain fields: loose cookies of the row's domain, for every path.
  assert.deepEqual(cookiesFromRow({ a: "1" }, ".Example.com"), [{
    name: "a",
    value: "1",
    domain: "example.com",
    hostOnly: false,
    path: "/",
    expires: null,
    secure: false,
    httpOnly: false,
    sameSite: null,
    loose: true,
  }]);
  // A damaged record list: the plain fields still seed the jar.
  assert.equal(
    cookiesFromRow({ [JAR_FIELD]: "{", a: "1" }, "example.com").length,
    1,
  );
});
