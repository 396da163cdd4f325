/**
 * POSIX path helpers for the engine's own files. Not `node:path`/`node:url`:
 * importing them loads Node's compatibility layer, about 10 ms of every
 * engine start (measured with `deno task bench --only process`).
 *
 * @module
 */

/** Joins segments and normalises `.`, `..` and repeated slashes. */
export function join(...parts: string[]): string {
  return normalize(parts.filter((part) => part !== "").join("/"));
}

/** `path` resolved against `dir` when relative, normalised. */
export function resolve(dir: string, path: string): string {
  return normalize(path.startsWith("/") ? path : `${dir}/${path}`);
}

/** The directory part of a path (`/` for a top-level entry, `.` for a bare name). */
export function dirname(path: string): string {
  const normal = normalize(path);
  const slash = normal.lastIndexOf("/");
  if (slash === -1) return ".";
  return slash === 0 ? "/" : normal.slice(0, slash);
}

/**
 * `path` relative to `dir`, for a path inside `dir`.
 *
 * @throws {RangeError} when `path` is not inside `dir`
 */
export function relative(dir: string, path: string): string {
  const base = normalize(dir);
  const target = normalize(path);
  if (target === base) return "";
  const prefix = base === "/" ? "/" : `${base}/`;
  if (!target.startsWith(prefix)) {
    throw new RangeError(`"${path}" is not inside "${dir}"`);
  }
  return target.slice(prefix.length);
}

/** The file-system path of a `file:` URL, e.g. `new URL("..", import.meta.url)`. */
export function pathOf(url: URL): string {
  if (url.protocol !== "file:") {
    throw new TypeError(`Not a file URL: ${url.href}`);
  }
  const path = decodeURIComponent(url.pathname);
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

function normalize(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length > 0 && out.at(-1) !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else {
      out.push(segment);
    }
  }
  const joined = out.join("/");
  if (absolute) return `/${joined}`;
  return joined === "" ? "." : joined;
}
