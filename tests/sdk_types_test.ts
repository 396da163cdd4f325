/**
 * The browser SDK's hand-written types (`bridge/static/sdk.d.ts`) are held
 * to the engine's and the bridge's own: each pair below must be assignable
 * both ways, so a field added, dropped, renamed or retyped on either side
 * fails `deno task check` (and this file's type check under `deno test`).
 * The runtime test only lists the verdicts the compiler already proved.
 */
import assert from "node:assert/strict";
import type * as Sdk from "../bridge/static/sdk.d.ts";
import type {
  ChangeEvent,
  EdgeView,
  ListQuery,
  ObserverEvent,
} from "../engine/graph/mod.ts";
import type { Filter } from "../engine/graph/graph_query.ts";
import type {
  ListedNode,
  NodeDetail,
  Provenance,
  ShapeSummary,
} from "../bridge/graph_reader.ts";
import type { ReadyNotice, ResetNotice } from "../bridge/observer_routes.ts";

/** `true` when A and B are assignable to each other, else `false`. */
type Mutual<A, B> = [A] extends [B] ? [B] extends [A] ? true : false
  : false;
/** `true` when A is assignable to B (the SDK may ask less than the engine takes). */
type Fits<A, B> = [A] extends [B] ? true : false;

/** What `GET /observer/stream` sends, as `observe` hands it to its callback. */
type StreamEvent =
  | ObserverEvent
  | ({ kind: "reset" } & ResetNotice)
  | ({ kind: "ready" } & ReadyNotice);

// Each entry is typed `true`: a drift turns its type into `false` and the
// array literal below no longer type-checks, naming the pair.
const verdicts: {
  change: Mutual<Sdk.Change, ChangeEvent>;
  edge: Mutual<Sdk.Edge, EdgeView>;
  node: Mutual<Sdk.Node, NodeDetail>;
  provenance: Mutual<Sdk.Node["provenance"], Provenance>;
  listedNode: Mutual<Sdk.ListedNode, ListedNode>;
  shape: Mutual<Sdk.Shape, ShapeSummary>;
  observerEvent: Mutual<Sdk.ObserverEvent, StreamEvent>;
  filterOp: Mutual<Sdk.Filter["op"], Filter["op"]>;
  filter: Fits<Sdk.Filter, Filter>;
  listQuery: Fits<Sdk.ListQuery, ListQuery>;
} = {
  change: true,
  edge: true,
  node: true,
  provenance: true,
  listedNode: true,
  shape: true,
  observerEvent: true,
  filterOp: true,
  filter: true,
  listQuery: true,
};

Deno.test("the browser SDK's types match the engine's and the bridge's", () => {
  // The proof is the type check above; at run time every verdict is true.
  assert.deepEqual(
    Object.entries(verdicts).filter(([, ok]) => !ok),
    [],
  );
});
