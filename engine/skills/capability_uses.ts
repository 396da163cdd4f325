import type { Discovery } from "./skill_discovery.ts";

/** Needs in `capabilities:` that name a broker, not a capability to call. */
const BROKER_NEEDS = new Set([
  "http",
  "secrets",
  "sql",
  "open_web",
  "shell",
  "crypto",
  "keychain",
  "plist",
]);

/**
 * The capabilities a skill may call with `capability.call`: those its
 * readme lists under `uses:` (or, as published skills do, under
 * `capabilities:`), and those its source calls by a literal name
 * (`capability.call("web_read", ...)`, `llm.oneshot(...)`), found by the
 * same source scan that finds its tools. A name chosen at run time must be
 * declared in the readme.
 *
 * @param discovery the skill's description
 * @returns the capability names, sorted
 */
export function declaredUses(discovery: Discovery): string[] {
  const fm = discovery.front_matter;
  const listed = [fm.uses, fm.capabilities].flatMap((value) =>
    typeof value === "string" ? [value] : Array.isArray(value) ? value : []
  ).filter((name): name is string =>
    typeof name === "string" && !BROKER_NEEDS.has(name)
  );
  const found = Array.isArray(discovery.capability_calls)
    ? discovery.capability_calls.filter((n) => typeof n === "string")
    : [];
  return [...new Set([...listed, ...found])].sort();
}
