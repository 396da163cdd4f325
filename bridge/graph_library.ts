// The explorer's graph layout, d3-force and the three d3 modules it imports,
// taken as text from the npm packages deno.json pins and deno.lock checks:
// nothing vendored, no CDN, no new read permission (Deno loads imports
// itself, and `deno compile` embeds them).
import d3Dispatch from "d3-dispatch" with { type: "text" };
import d3Force from "d3-force" with { type: "text" };
import d3Quadtree from "d3-quadtree" with { type: "text" };
import d3Timer from "d3-timer" with { type: "text" };

/** The route prefix the library's modules are served under. */
export const LIBRARY_PREFIX = "/lib/";

const SOURCES: Record<string, string> = {
  "d3-force": d3Force,
  "d3-dispatch": d3Dispatch,
  "d3-quadtree": d3Quadtree,
  "d3-timer": d3Timer,
};

/** An import or export `from '…'` (or a side-effect `import '…'`). */
const SPECIFIER = /(\bfrom\s*|\bimport\s*)(['"])([^'"]+)\2/g;

/**
 * The library's ES modules by file name (`d3-force.js`), their bare
 * imports (`from 'd3-quadtree'`) pointed at the sibling files: a browser
 * resolves no bare name, and an import map would be an inline script the
 * page's Content-Security-Policy refuses.
 *
 * @returns file name → module text
 * @throws {Error} when a module imports a name not served here (a new
 *   version with a new dependency must fail at start, not in the browser)
 */
export function libraryModules(): Map<string, string> {
  const modules = new Map<string, string>();
  for (const [name, source] of Object.entries(SOURCES)) {
    const text = source.replace(SPECIFIER, (_all, keyword, _quote, target) => {
      if (!(target in SOURCES)) {
        throw new Error(
          `The graph library module "${name}" imports "${target}", which the bridge does not serve; add it to bridge/graph_library.ts and deno.json`,
        );
      }
      return `${keyword}"${LIBRARY_PREFIX}${target}.js"`;
    });
    modules.set(`${name}.js`, text);
  }
  return modules;
}
