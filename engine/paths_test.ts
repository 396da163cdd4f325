import assert from "node:assert/strict";
import * as node from "node:path";
import { fileURLToPath } from "node:url";
import { dirname, join, pathOf, relative, resolve } from "./paths.ts";

const CASES = [
  ["/a/b", "c"],
  ["/a/b/", "c/"],
  ["/a//b", "./c"],
  ["/a/b", "../c"],
  ["/a/b", "../../../c"],
  ["/", "x"],
  ["a", "b"],
  ["a", "../../b"],
  ["/a/b", "/etc/passwd"],
  ["/a/b", "c/../../d/./e"],
] as const;

// Ours drop a trailing slash; node:path keeps it.
const trimmed = (path: string) => path.replace(/(.)\/$/, "$1");

Deno.test("join(), resolve() and dirname() agree with node:path", () => {
  for (const [dir, path] of CASES) {
    assert.equal(
      join(dir, path),
      trimmed(node.join(dir, path)),
      `join ${dir} ${path}`,
    );
    if (dir.startsWith("/")) {
      assert.equal(
        resolve(dir, path),
        node.resolve(dir, path),
        `resolve ${dir} ${path}`,
      );
    }
    const joined = node.join(dir, path);
    assert.equal(dirname(joined), node.dirname(joined), `dirname ${joined}`);
  }
  assert.equal(dirname("/x"), "/");
  assert.equal(dirname("x"), ".");
});

Deno.test("relative() gives the part inside the directory and refuses the rest", () => {
  assert.equal(relative("/a/b", "/a/b/c/d.py"), "c/d.py");
  assert.equal(relative("/a/b/", "/a/b/c"), "c");
  assert.equal(relative("/", "/etc"), "etc");
  assert.equal(relative("/a/b", "/a/b"), "");
  assert.throws(() => relative("/a/b", "/a/bc/d"), RangeError);
  assert.throws(() => relative("/a/b", "/a/b/../c"), RangeError);
});

Deno.test("pathOf() matches fileURLToPath, spaces and all", () => {
  for (
    const href of ["file:///a/b%20c/d.ts", "file:///tmp/", "file:///x/%C3%A9"]
  ) {
    assert.equal(
      pathOf(new URL(href)),
      fileURLToPath(href).replace(/(.)\/$/, "$1"),
    );
  }
  assert.throws(() => pathOf(new URL("https://example.com/a")), TypeError);
});
