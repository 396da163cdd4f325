import assert from "node:assert/strict";
import { isTimeZone } from "./host_time_zone.ts";

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
