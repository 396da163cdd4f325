import assert from "node:assert/strict";
import { hostTimeZone, isTimeZone } from "./host_time_zone.ts";

Deno.test("isTimeZone() takes zone names and POSIX rules, not paths or control characters", () => {
  for (
    const ok of [
      "America/Chicago",
      "UTC",
      "Etc/GMT+5",
      "EST5EDT",
      ":Europe/London",
      "CET-1CEST,M3.5.0,M10.5.0/3",
    ]
  ) assert.ok(isTimeZone(ok), ok);
  for (
    const bad of [
      "",
      "/etc/passwd",
      "../../../etc/shadow",
      "America/../../x",
      "a\nb",
      "x".repeat(80),
      "America//Chicago",
    ]
  ) assert.ok(!isTimeZone(bad), bad);
});

Deno.test("hostTimeZone() passes the host's TZ when it is a zone, nothing otherwise", () => {
  const saved = Deno.env.get("TZ");
  try {
    Deno.env.set("TZ", "America/Chicago");
    assert.equal(hostTimeZone(), "America/Chicago");
    Deno.env.set("TZ", "../../etc/shadow");
    assert.equal(hostTimeZone(), undefined);
    Deno.env.delete("TZ");
    assert.equal(hostTimeZone(), undefined);
  } finally {
    if (saved === undefined) Deno.env.delete("TZ");
    else Deno.env.set("TZ", saved);
  }
});
