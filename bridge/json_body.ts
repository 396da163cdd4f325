import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

/**
 * Reads a request body that must be a JSON object.
 *
 * @param c the request context (its size is already bounded by `bodyLimit`)
 * @param options `optional`: an empty body reads as `{}`
 * @returns the object
 * @throws {HTTPException} 415 when not `application/json`, 400 when not a JSON object
 */
export async function readJsonObject(
  c: Context,
  options: { optional?: boolean } = {},
): Promise<Record<string, unknown>> {
  const text = c.req.raw.body ? await c.req.text() : "";
  if (text.trim() === "") {
    if (options.optional) return {};
    throw new HTTPException(400, {
      message: "This request needs a JSON object body",
    });
  }
  if (!/^application\/json\s*(;|$)/i.test(c.req.header("content-type") ?? "")) {
    throw new HTTPException(415, {
      message: `Send the body as Content-Type: application/json, got "${
        (c.req.header("content-type") ?? "").slice(0, 100)
      }"`,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HTTPException(400, {
      message: `The body is not valid JSON: ${(error as Error).message}`,
    });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new HTTPException(400, { message: "The body must be a JSON object" });
  }
  return value as Record<string, unknown>;
}
