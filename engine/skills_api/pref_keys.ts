import { didYouMean } from "../closest_word.ts";
import { invalidParams } from "../errors.ts";
import { CLIENT_MODEL_PROVIDER, parseOriginMap } from "../broker/mod.ts";
import type { SkillEntry } from "../skills/mod.ts";

/** One preference the engine reads: `agentos prefs list` shows them all. */
export interface PrefKey {
  /** The key; `capability.<name>` stands for one key per capability. */
  key: string;
  /** What it changes. */
  meaning: string;
  /** What holds while it is not set. */
  default: unknown;
}

/** What a preference's value is checked against. */
export interface PrefContext {
  /** Every installed skill. */
  skills: () => SkillEntry[];
}

/** Every preference the engine reads. */
export const PREF_KEYS: readonly PrefKey[] = [
  {
    key: "capability.<name>",
    meaning:
      "The skill tried first for a capability (e.g. capability.llm openai-compatible); the others follow. capability.llm mcp-sampling: the model of the MCP client whose tool call started the work",
    default: null,
  },
  {
    key: "http.origin_map",
    meaning:
      'Send a skill\'s requests for an origin elsewhere: {"https://api.example.com": "http://127.0.0.1:8080"} (testing against local servers)',
    default: {},
  },
  {
    key: "http.guard_budget_ms",
    meaning:
      "Milliseconds of reflection-guard work one call may spend on its responses; past it the call's responses fail",
    default: 10_000,
  },
  {
    key: "bridge.autostart",
    meaning: "Start the web bridge with the engine (true or false)",
    default: false,
  },
  {
    key: "bridge.port",
    meaning: "The port the autostarted bridge listens on (1-65535)",
    default: 3456,
  },
];

/**
 * Refuses a preference the engine does not read, or a value that cannot
 * work, naming what would.
 *
 * @param key the key, e.g. `capability.llm`
 * @param value the value (null unsets, always allowed for a known key)
 * @param context the installed skills
 * @throws {RpcError} InvalidParams saying why
 */
export function checkPref(
  key: string,
  value: unknown,
  context: PrefContext,
): void {
  // The MCP client's model is built in: no skill needs to provide llm.
  if (key === "capability.llm" && value === CLIENT_MODEL_PROVIDER) return;
  if (key.startsWith("capability.")) {
    checkCapabilityPref(key.slice("capability.".length), value, context);
    return;
  }
  const known = PREF_KEYS.find((pref) => pref.key === key);
  if (!known) {
    throw invalidParams(
      `Unknown preference "${key}"${
        didYouMean(key, PREF_KEYS.map((pref) => pref.key))
      }; see agentos prefs list`,
    );
  }
  if (value === null) return;
  if (key === "http.origin_map") {
    try {
      parseOriginMap(value);
    } catch (error) {
      throw invalidParams(`"http.origin_map": ${(error as Error).message}`);
    }
  } else if (
    key === "http.guard_budget_ms" &&
    !(Number.isInteger(value) && (value as number) >= 1)
  ) {
    throw invalidParams(
      `"http.guard_budget_ms" must be a whole number of milliseconds (1 or more), got ${
        JSON.stringify(value)
      }`,
    );
  } else if (key === "bridge.autostart" && typeof value !== "boolean") {
    throw invalidParams(`"bridge.autostart" must be true or false`);
  } else if (
    key === "bridge.port" &&
    !(Number.isInteger(value) && (value as number) >= 1 &&
      (value as number) <= 65535)
  ) {
    throw invalidParams(
      `"bridge.port" must be a port number from 1 to 65535, got ${
        JSON.stringify(value)
      }`,
    );
  }
}

function checkCapabilityPref(
  name: string,
  value: unknown,
  context: PrefContext,
): void {
  const skills = context.skills();
  const providers = (capability: string) =>
    skills.filter((skill) =>
      skill.discovery.tools.some((tool) => tool.provides.includes(capability))
    );
  const capabilities = new Set(
    skills.flatMap((s) => s.discovery.tools.flatMap((t) => t.provides)),
  );
  if (!capabilities.has(name)) {
    throw invalidParams(
      `No installed skill provides "${name}"${
        didYouMean(name, capabilities)
      }, so "capability.${name}" would do nothing; see the PROVIDES column of agentos skills list`,
    );
  }
  if (value === null) return;
  const ids = providers(name).map((skill) => skill.id);
  if (typeof value !== "string" || !ids.includes(value)) {
    throw invalidParams(
      `"capability.${name}" must be a skill that provides ${name}: ${
        ids.join(", ")
      }; got ${JSON.stringify(value)}${
        typeof value === "string" ? didYouMean(value, ids) : ""
      }`,
    );
  }
}
