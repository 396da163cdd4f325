/**
 * Which stored credential serves which skill, table-driven: a row a skill
 * wrote serves that skill alone, keychain rows serve none this way; the
 * first candidate domain holding a row wins, its default account first;
 * a skill's own rows; whether a provider's credential is present, missing
 * (and where to store it) or not needed; which rows fit a cookie session
 * or an API key; where a credential may be carried.
 */
import assert from "node:assert/strict";
import type { ConnectionInfo, SkillEntry } from "../../skills/mod.ts";
import { credentialDomains } from "../../grants/mod.ts";
import {
  type CredentialSource,
  credentialState,
  findCredential,
  fitsConnection,
  KEYCHAIN_DOMAIN,
  ownRow,
  scopeOf,
  setCommand,
  skillLabel,
  usableBy,
} from "./skill_credentials.ts";

Deno.test("usableBy(): a row serves only the skills it lists, never another skill's row nor a keychain row", () => {
  assert.equal(KEYCHAIN_DOMAIN, "keychain");
  const me = ["me"];
  const cases: [
    string,
    { domain: string; writer?: string | null; users?: string[] | null },
    boolean,
  ][] = [
    ["no writer recorded", { domain: "example.com", users: me }, true],
    ["writer null", { domain: "example.com", writer: null, users: me }, true],
    ["the owner", { domain: "example.com", writer: "owner", users: me }, true],
    ["this skill", {
      domain: "example.com",
      writer: "skill:me",
      users: me,
    }, true],
    ["the owner's, for others", {
      domain: "example.com",
      writer: "owner",
      users: ["other", "me2"],
    }, false],
    ["the owner's, for nobody", {
      domain: "example.com",
      writer: "owner",
      users: [],
    }, false],
    ["users not recorded yet", {
      domain: "example.com",
      writer: "owner",
      users: null,
    }, false],
    ["users absent", { domain: "example.com", writer: "owner" }, false],
    [
      "another skill, listing me",
      { domain: "example.com", writer: "skill:other", users: me },
      false,
    ],
    ["a skill whose id starts the same", {
      domain: "example.com",
      writer: "skill:me2",
      users: me,
    }, false],
    [
      "keychain, by the owner",
      { domain: "keychain", writer: "owner", users: me },
      false,
    ],
    ["keychain, no writer", { domain: "keychain", users: me }, false],
  ];
  for (const [name, row, usable] of cases) {
    assert.equal(usableBy(row, "me"), usable, name);
  }
});

Deno.test("findCredential(): the first candidate holding a row, its default account before others", () => {
  const rows = [
    { domain: "example.com", identifier: "work" },
    { domain: "example.com", identifier: "" },
    { domain: "api.example.com", identifier: "b" },
    { domain: "api.example.com", identifier: "a" },
  ];
  const cases: [
    string[],
    { domain: string; identifier: string } | undefined,
  ][] = [
    [["example.com"], { domain: "example.com", identifier: "" }],
    [["api.example.com", "example.com"], {
      domain: "api.example.com",
      identifier: "b",
    }],
    [["x.example.com", "example.com"], {
      domain: "example.com",
      identifier: "",
    }],
    [["other.com"], undefined],
    [[], undefined],
  ];
  for (const [candidates, expected] of cases) {
    assert.deepEqual(
      findCredential(rows, candidates),
      expected,
      candidates.join(),
    );
  }
});

function source(
  rows: ReturnType<CredentialSource["skillRows"]>,
): CredentialSource {
  return {
    list: () => [],
    read: () => Promise.resolve(undefined),
    skillRows: (skill) => skill === "me" ? rows : [],
    readForSkill: () => Promise.resolve(undefined),
  };
}

Deno.test("ownRow(): a skill's own rows it may use, the default account first, or the one named; skip and fits leave rows out", () => {
  const vault = source([
    { identifier: "b", writer: "owner", fields: ["key"] },
    { identifier: "", writer: "skill:other", fields: ["key"] },
    { identifier: "a", writer: "skill:me", fields: ["user", "pass"] },
  ]);
  assert.equal(ownRow(vault, "me")?.identifier, "b");
  assert.equal(ownRow(vault, "me", { identifier: "a" })?.identifier, "a");
  assert.equal(ownRow(vault, "me", { identifier: "" }), undefined);
  assert.equal(ownRow(vault, "me", { identifier: "zz" }), undefined);
  assert.equal(
    ownRow(vault, "me", { skip: (r) => r.identifier === "b" })?.identifier,
    "a",
  );
  assert.equal(
    ownRow(vault, "me", { fits: (r) => r.fields?.includes("user") === true })
      ?.identifier,
    "a",
  );
  const withDefault = source([
    { identifier: "x", writer: null },
    { identifier: "", writer: null },
  ]);
  assert.equal(ownRow(withDefault, "me")?.identifier, "");
  assert.equal(ownRow(undefined, "me"), undefined);
  assert.equal(ownRow(vault, "nobody"), undefined);
});

function skill(connections: Partial<ConnectionInfo>[]): SkillEntry {
  return {
    id: "me",
    discovery: { connections },
    egress: { hosts: ["api.example.com"], domains: ["example.org"] },
  } as unknown as SkillEntry;
}

const API = {
  name: "api",
  base_url: "https://api.example.com",
  auth: { header: { k: ".auth.key" } },
};
const OWN = { name: "own", auth: { header: { k: ".auth.key" } } };
const OPEN = { name: "open", base_url: "https://open.example.net", auth: null };

Deno.test("credentialState(): present where found, none when a connection needs nothing, else missing with where and the command", () => {
  const cases: [
    string,
    Partial<ConnectionInfo>[],
    string[] | null,
    string[],
    boolean,
    unknown,
  ][] = [
    ["no connection", [], null, [], false, { state: "none" }],
    ["host row", [API], null, ["api.example.com"], false, {
      state: "present",
      where: "api.example.com",
    }],
    ["parent row", [API], null, ["example.com"], false, {
      state: "present",
      where: "example.com",
    }],
    ["missing", [API], null, ["other.com"], false, {
      state: "missing",
      where: "example.com",
      command: "agentos secrets set example.com",
    }],
    ["own row", [OWN], null, [], true, {
      state: "present",
      where: "skill me",
    }],
    ["own row missing", [OWN], null, [], false, {
      state: "missing",
      where: "skill me",
      command: "agentos secrets set --skill me",
    }],
    ["optional connection", [{ ...API, optional: true }], null, [], false, {
      state: "none",
    }],
    ["one of two needs nothing", [API, OPEN], null, [], false, {
      state: "none",
    }],
    ["only the tool's connection", [API, OPEN], ["api"], [], false, {
      state: "missing",
      where: "example.com",
      command: "agentos secrets set example.com",
    }],
    ["a connection the skill lacks", [API], ["other"], [], false, {
      state: "none",
    }],
  ];
  for (const [name, connections, only, domains, own, expected] of cases) {
    assert.deepEqual(
      credentialState(skill(connections), {
        connections: only,
        domains: new Set(domains),
        ownKey: (id) => own && id === "me",
      }),
      expected,
      name,
    );
  }
});

Deno.test("fitsConnection(): a cookie session skips a bare key or value, an API key skips a row of cookies", () => {
  const cookies = {
    name: "web",
    auth: { type: "cookies" },
  } as unknown as ConnectionInfo;
  const api = API as unknown as ConnectionInfo;
  const cases: [string[] | undefined, ConnectionInfo | undefined, boolean][] = [
    [["key"], cookies, false],
    [["value"], cookies, false],
    [["key", "user"], cookies, true],
    [["session"], cookies, true],
    [["__jar__"], cookies, true],
    [[], cookies, true],
    [undefined, cookies, true],
    [["key"], api, true],
    [["__jar__"], api, false],
    [["session", "__jar__"], undefined, false],
    [undefined, api, true],
  ];
  for (const [fields, connection, fits] of cases) {
    assert.equal(
      fitsConnection(fields ? { fields } : {}, connection),
      fits,
      `${JSON.stringify(fields)} for ${connection?.name}`,
    );
  }
});

Deno.test("scopeOf(), setCommand(), skillLabel(): a skill's own key goes where its egress goes; a domain's key to its domain", () => {
  const me = skill([API, OWN]);
  const own = credentialDomains("me", OWN as unknown as ConnectionInfo);
  const api = credentialDomains("me", API as unknown as ConnectionInfo);
  assert.deepEqual(scopeOf(me, own, "ignored"), {
    hosts: ["api.example.com"],
    domains: ["example.org"],
  });
  assert.deepEqual(scopeOf(me, api, "example.com"), { domain: "example.com" });
  assert.equal(setCommand("me", own), "agentos secrets set --skill me");
  assert.equal(setCommand("me", api), "agentos secrets set example.com");
  assert.equal(skillLabel("me"), "skill me");
});
