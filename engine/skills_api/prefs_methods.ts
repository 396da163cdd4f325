import { invalidParams } from "../errors.ts";
import { type RpcDispatcher, stringParam } from "../rpc/mod.ts";
import type { SkillEntry } from "../skills/mod.ts";
import type { SettingsStore } from "../graph/mod.ts";
import { checkPref, PREF_KEYS } from "./pref_keys.ts";

/** What the `prefs.*` methods work on. */
export interface PrefsMethodsContext {
  settings: SettingsStore;
  /** Every installed skill (capability preferences are checked against them). */
  skills: () => SkillEntry[];
  /** Resolves once the installed skills are loaded. */
  loaded: Promise<void>;
}

/** A preference key: `http.origin_map`, `capability.llm`… */
const PREF_KEY = /^[a-z][a-z0-9_]*(\.[a-z0-9_-]+)*$/i;

/**
 * Registers `prefs.get`, `prefs.set` (known keys, values that can work),
 * `prefs.keys` (every known key with its meaning, default and value) and
 * `prefs.list` (the values set).
 *
 * @param dispatcher the engine's method table
 * @param context the settings and the skills
 */
export function registerPrefsMethods(
  dispatcher: RpcDispatcher,
  context: PrefsMethodsContext,
): void {
  const { settings } = context;
  dispatcher.register("prefs.get", (params) => {
    const key = prefKey(params);
    return { key, value: settings.get(`prefs.${key}`) ?? null };
  });

  dispatcher.register("prefs.set", async (params) => {
    // capability.<name> is checked against the skills.
    await context.loaded.catch(() => {});
    const key = prefKey(params);
    if (!("value" in params)) {
      throw invalidParams(`"value" is required (null unsets)`);
    }
    const value = params.value ?? null;
    checkPref(key, value, { skills: context.skills });
    settings.set(`prefs.${key}`, value);
    return { key, value };
  });

  dispatcher.register("prefs.keys", () => ({
    keys: PREF_KEYS.map((pref) => ({
      ...pref,
      value: pref.key.includes("<")
        ? Object.fromEntries(
          settings.list(`prefs.${pref.key.split("<")[0]}`).map((
            [key, value],
          ) => [key.slice(6), value]),
        )
        : settings.get(`prefs.${pref.key}`) ?? null,
    })),
  }));

  dispatcher.register("prefs.list", () => ({
    prefs: Object.fromEntries(
      settings.list("prefs.").map(([key, value]) => [key.slice(6), value]),
    ),
  }));
}

function prefKey(params: Record<string, unknown>): string {
  const key = stringParam(params, "key", 128);
  if (!PREF_KEY.test(key)) {
    throw invalidParams(
      `Preference key "${key}" must be dotted words, like "capability.llm"`,
    );
  }
  return key;
}
