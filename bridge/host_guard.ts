import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";

/** Host names that always mean this machine. */
const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Tells whether a `Host` header value names the loopback interface
 * (`localhost`, `*.localhost`, `127.0.0.1`, `[::1]`, with any port).
 *
 * @param host the header value
 * @returns true for a loopback name
 */
export function isLoopbackHost(host: string): boolean {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(
    host.trim(),
  );
  if (!match) return false;
  const name = match[1]!.toLowerCase().replace(/\.$/, "");
  return LOOPBACK_NAMES.has(name) || name.endsWith(".localhost");
}

/**
 * Refuses requests whose `Host` is not a loopback name, with 403. A page on
 * `evil.example` whose DNS later points at 127.0.0.1 (DNS rebinding) sends
 * `Host: evil.example`, so it never reaches a route.
 *
 * @returns the middleware
 */
export function hostGuard(): MiddlewareHandler {
  return async function hostGuard(c, next) {
    const header = c.req.header("host");
    const host = header ?? new URL(c.req.url).host;
    if (!isLoopbackHost(host)) {
      throw new HTTPException(403, {
        message: `Refused Host "${
          host.slice(0, 100)
        }": the bridge answers only to localhost, 127.0.0.1 and [::1]`,
      });
    }
    await next();
  };
}
