import { invalidParams } from "../errors.ts";
import { method, type MethodTable, param, stringParam } from "../rpc/mod.ts";
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
 * `prefs.get`, `prefs.set` (known keys, values that can work), `prefs.keys`
 * (every known key with its meaning, default and value) and `prefs.list`
 * (the values set).
 *
 * @param context the settings and the skills
 */
export function prefsMethods(context: PrefsMethodsContext): MethodTable {
  const { settings } = context;
  return {
    "prefs.get": method({ key: prefKey }, ({ key }) => ({
      key,
      value: settings.get(`prefs.${key}`) ?? null,
    })),

    "prefs.set": method({ all: param.all() }, async ({ all }) => {
      // capability.<name> is checked against the skills.
      await context.loaded.catch(() => {});
      const key = prefKey(all, "key");
      if (!("value" in all)) {
        throw invalidParams(`"value" is required (null unsets)`);
      }
      const value = all.value ?? null;
      checkPref(key, value, { skills: context.skills });
      settings.set(`prefs.${key}`, value);
      return { key, value };
    }),

    "prefs.keys": method({}, () => ({
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
    })),

    "prefs.list": method({}, () => ({
      prefs: Object.fromEntries(
        settings.list("prefs.").map(([key, value]) => [key.slice(6), value]),
      ),
    })),
  };
}

function prefKey(params: Record<string, unknown>, name: string): string {
  const key = stringParam(params, name, 128);
  if (!PREF_KEY.test(key)) {
    throw invalidParams(
      `Preference key "${key}" must be dotted words, like "capability.llm"`,
    );
  }
  return key;
}
