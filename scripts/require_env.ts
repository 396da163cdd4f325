/**
 * Guard run before the engine, CLI, MCP and bridge tasks: their permission
 * flags are scoped to `$AGENTOS_HOME` and `$AGENTOS_PYTHON`, and an unset
 * variable would expand to an empty path, which Deno reads as "everywhere".
 * `scripts/deno` sets both; this refuses to go on when they are missing.
 *
 * @module
 */
const missing = ["AGENTOS_HOME", "AGENTOS_PYTHON"].filter((name) => {
  const value = Deno.env.get(name) ?? "";
  return !value.startsWith("/");
});
if (missing.length > 0) {
  // deno-lint-ignore no-console
  console.error(
    `agentos: ${
      missing.join(" and ")
    } must be absolute paths; run tasks through scripts/deno (e.g. "scripts/deno task engine"), which sets them`,
  );
  Deno.exit(1);
}
