/**
 * `observer.subscribe`: a connection follows the change feed, from an older
 * change id or from now, until it disconnects.
 *
 * @module
 */
import { method, type MethodTable, param } from "../rpc/mod.ts";
import type { ChangeFeed } from "./change_feed.ts";

/**
 * The `observer.*` methods.
 *
 * @param feed the change feed
 * @returns the method table
 */
export function observerMethods(feed: ChangeFeed): MethodTable {
  return {
    "observer.subscribe": method(
      { since: param.optionalInteger(Number.MAX_SAFE_INTEGER) },
      ({ since }, request) => {
        const after = feed.subscribe(
          request.connectionId,
          (event) => Promise.resolve(request.notify("observer.event", event)),
          since,
        );
        // The subscription ends with the connection.
        request.signal.addEventListener(
          "abort",
          () => feed.unsubscribe(request.connectionId),
        );
        return { subscribed: true, after };
      },
    ),
  };
}
