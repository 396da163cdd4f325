/**
 * Which calls are refused with NEEDS_CREDENTIALS before they run: the
 * tool's connection (its `@connection`, else a skill's only one, none for
 * `@connection("none")`), whether that connection needs a stored
 * credential (auth declared, not optional, not a cookie session), the
 * account tools that run without one, where the credential is looked for
 * (a domain row, or the skill's own row), and the refusal's literal
 * message and data.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../../errors.ts";
import type { ConnectionInfo, SkillEntry, ToolInfo } from "../../skills/mod.ts";
import {
  needsCredentials,
  requiresCredential,
  secretsSetCommand,
  toolConnection,
} from "./needs_credentials.ts";

function skillWith(connections: Partial<ConnectionInfo>[]): SkillEntry {
  return {
    id: "acme",
    discovery: { connections, tools: [], problems: [] },
  } as unknown as SkillEntry;
}

function tool(name: string, connection?: string[]): ToolInfo {
  return { name, ...(connection ? { connection } : {}) } as ToolInfo;
}

const API = {
  name: "api",
  base_url: "https://api.acme.example.com/v1",
  auth: { header: { "x-api-key": ".auth.key" } },
};
const WEB = { name: "web", auth: { type: "cookies", domain: ".acme.test" } };
const LOCAL = { name: "local", auth: { header: { key: ".auth.key" } } };

const NO_ROWS = { domains: [], own: [] };

Deno.test("toolConnection(): the tool's @connection, else a skill's only connection, none for @connection(\"none\")", () => {
  const one = skillWith([API]);
  const two = skillWith([API, WEB]);
  const cases: [string, SkillEntry, ToolInfo, string | undefined][] = [
    ["only connection", one, tool("t"), "api"],
    ["named", two, tool("t", ["web"]), "web"],
    ["first of a list", two, tool("t", ["web", "api"]), "web"],
    ["named none", one, tool("t", ["none"]), undefined],
    ["named unknown", two, tool("t", ["other"]), undefined],
    ["two, none named", two, tool("t"), undefined],
    ["no connection", skillWith([]), tool("t"), undefined],
  ];
  for (const [name, skill, t, expected] of cases) {
    assert.equal(toolConnection(skill, t)?.name, expected, name);
  }
});

Deno.test("requiresCredential(): auth declared, not optional, not a cookie session", () => {
  const cases: [string, Partial<ConnectionInfo>, boolean][] = [
    ["header auth", API, true],
    ["no auth", { name: "x" }, false],
    ["auth null", { name: "x", auth: null }, false],
    ["optional", { ...API, optional: true }, false],
    ["optional false", { ...API, optional: false }, true],
    ["cookie session", WEB, false],
    [
      "type cookie (not cookies)",
      { name: "x", auth: { type: "cookie" } },
      true,
    ],
    ["auth a string", { name: "x", auth: "key" }, true],
  ];
  for (const [name, connection, expected] of cases) {
    assert.equal(
      requiresCredential(connection as ConnectionInfo),
      expected,
      name,
    );
  }
});

Deno.test("needsCredentials(): refused without the row, run with it; account tools and the skill's own row", () => {
  const account = {
    ...API,
    auth: { ...API.auth, account: { check: "whoami", login: "sign_in" } },
  };
  const rows = (domains: string[], own = 0) => ({
    domains: domains.map((domain) => ({ domain, identifier: "" })),
    own: Array.from({ length: own }, () => ({ identifier: "" })),
  });
  const cases: [
    string,
    Partial<ConnectionInfo>,
    string,
    ReturnType<typeof rows>,
    boolean,
  ][] = [
    ["no row", API, "t", rows([]), true],
    ["row of the host", API, "t", rows(["api.acme.example.com"]), false],
    ["row of the parent", API, "t", rows(["acme.example.com"]), false],
    ["row of another domain", API, "t", rows(["other.com"]), true],
    ["an account check tool", account, "whoami", rows([]), false],
    ["an account login tool", account, "sign_in", rows([]), false],
    ["another tool of it", account, "list", rows([]), true],
    ["skill-keyed, no own row", LOCAL, "t", rows(["acme"]), true],
    ["skill-keyed, one own row", LOCAL, "t", rows([], 1), false],
    ["cookie session", WEB, "t", rows([]), false],
    ["optional", { ...API, optional: true }, "t", rows([]), false],
  ];
  for (const [name, connection, toolName, vault, refused] of cases) {
    const error = needsCredentials(
      skillWith([connection]),
      tool(toolName),
      vault,
    );
    assert.equal(error !== undefined, refused, name);
  }
  assert.equal(
    needsCredentials(skillWith([API]), tool("t", ["none"]), NO_ROWS),
    undefined,
  );
});

Deno.test("needsCredentials(): the refusal's message and data, literally", () => {
  const labelled = {
    ...API,
    label: "Acme API",
    help_url: "https://acme.example.com/keys",
  };
  const domain = needsCredentials(skillWith([labelled]), tool("t"), NO_ROWS)!;
  assert.equal(domain.code, ErrorCode.Forbidden);
  assert.equal(
    domain.message,
    'NEEDS_CREDENTIALS: tool "t" of skill "acme" needs a credential for connection "api" (Acme API); get one at https://acme.example.com/keys and store it with: agentos secrets set example.com; or, if one is stored for another skill, allow this one to use it: agentos skills allow acme --credential example.com',
  );
  assert.deepEqual(domain.data, {
    reason: "NEEDS_CREDENTIALS",
    connection: "api",
    domain: "example.com",
    help_url: "https://acme.example.com/keys",
    command: "agentos secrets set example.com",
    allow_command: "agentos skills allow acme --credential example.com",
  });
  const own = needsCredentials(skillWith([LOCAL]), tool("t"), NO_ROWS)!;
  assert.equal(
    own.message,
    'NEEDS_CREDENTIALS: tool "t" of skill "acme" needs a credential for connection "local"; store it with: agentos secrets set --skill acme',
  );
  assert.deepEqual(own.data, {
    reason: "NEEDS_CREDENTIALS",
    connection: "local",
    domain: null,
    skill: "acme",
    help_url: null,
    command: "agentos secrets set --skill acme",
  });
  assert.equal(
    secretsSetCommand("acme", LOCAL as ConnectionInfo),
    "agentos secrets set --skill acme",
  );
  assert.equal(
    secretsSetCommand("acme", API as ConnectionInfo),
    "agentos secrets set example.com",
  );
});
