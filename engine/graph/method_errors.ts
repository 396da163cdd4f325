/**
 * The errors the graph's and the shapes' methods answer with when a client
 * names something that is not there.
 *
 * @module
 */
import { didYouMean } from "../closest_word.ts";
import { ErrorCode, RpcError } from "../errors.ts";
import type { ShapeRegistry } from "../shapes/mod.ts";

/**
 * A NotFound error.
 *
 * @param message what was not found
 * @returns the error to throw
 */
export function notFound(message: string): RpcError {
  return new RpcError(ErrorCode.NotFound, message);
}

/**
 * Names a shape that does not exist, the nearest that does, and where to look.
 *
 * @param name the shape asked for
 * @param shapes the loaded shapes
 * @returns the message
 */
export function unknownShape(name: string, shapes: ShapeRegistry): string {
  return `Unknown shape "${name}"${
    didYouMean(name, shapes.list().map((shape) => shape.name))
  }; see agentos shapes list`;
}
