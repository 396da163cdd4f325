import assert from "node:assert/strict";
import { routeByUrl } from "./url_routing.ts";

const provider = (entry: string, rank: number, urls?: string[]) => ({
  entry,
  rank,
  options: urls ? { urls } : {},
  reason: entry,
});

Deno.test("routeByUrl() never lifts a matching provider across standings", () => {
  const order = routeByUrl([
    provider("preferred", 0),
    provider("existing", 1),
    provider("joined-late", 2, ["news.example/*"]),
  ], "https://news.example/a");
  assert.deepEqual(order.map((p) => p.entry), [
    "preferred",
    "existing",
    "joined-late",
  ]);
});

Deno.test("routeByUrl() orders within a standing by specificity, then generic, and drops non-matching", () => {
  const order = routeByUrl([
    provider("generic", 1),
    provider("broad", 1, ["forum.example/*"]),
    provider("elsewhere", 1, ["tracker.example/*"]),
    provider("narrow", 1, ["forum.example/post/*"]),
  ], "https://forum.example/post/1");
  assert.deepEqual(order.map((p) => p.entry), ["narrow", "broad", "generic"]);
  assert.match(order[0]!.reason, /URL patterns match/);
  assert.match(order[2]!.reason, /serves any URL/);
});
