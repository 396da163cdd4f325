import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../errors.ts";
import { bundledGrantDefaults, checkEgress, egressPolicy } from "./egress.ts";
import type { DeclaredSkill } from "./declared_skill.ts";

function discovery(overrides: Partial<DeclaredSkill> = {}): DeclaredSkill {
  return {
    front_matter: { capabilities: ["http"] },
    connections: [],
    url_literals: [],
    ...overrides,
  };
}

function connection(fields: Record<string, unknown>) {
  return {
    name: "api",
    base_url: null,
    domain: null,
    auth: null,
    description: null,
    label: null,
    help_url: null,
    optional: null,
    client: null,
    file: "x.py",
    line: 1,
    ...fields,
  };
}

Deno.test("egressPolicy() takes connection hosts, domains and URL literal hosts", () => {
  const policy = egressPolicy(discovery({
    connections: [
      connection({ base_url: "https://API.Example.com/v1" }),
      connection({ name: "b", domain: ".example.org" }),
    ],
    url_literals: ["https://cdn.example.net/x", "not a url"],
  }));
  assert.deepEqual(policy, {
    hosts: ["api.example.com", "cdn.example.net"],
    domains: ["example.org"],
    openWeb: false,
  });
  assert.equal(
    egressPolicy(discovery({ front_matter: { capabilities: ["open_web"] } }))
      .openWeb,
    true,
  );
  // Without `http`, URL literals are not part of the egress set.
  assert.deepEqual(
    egressPolicy(discovery({
      front_matter: {},
      url_literals: ["https://cdn.example.net/x"],
    })).hosts,
    [],
  );
});

Deno.test("checkEgress() allows the egress set and refuses other hosts, naming them", () => {
  const policy = {
    hosts: ["api.example.com"],
    domains: ["example.org"],
    openWeb: false,
  };
  checkEgress(
    { skillId: "s", egress: policy },
    new URL("https://api.example.com/x"),
  );
  checkEgress(
    { skillId: "s", egress: policy },
    new URL("https://example.org/"),
  );
  checkEgress(
    { skillId: "s", egress: policy },
    new URL("https://deep.sub.example.org/"),
  );
  for (
    const url of [
      "https://example.com/",
      "https://badexample.org/",
      "http://127.0.0.1/",
    ]
  ) {
    assert.throws(
      () => checkEgress({ skillId: "s", egress: policy }, new URL(url)),
      (error: RpcError) =>
        error.code === ErrorCode.Forbidden &&
        error.message.includes(`may not reach host "${new URL(url).hostname}"`),
    );
  }
  assert.throws(
    () =>
      checkEgress(
        { skillId: "s", egress: { ...policy, openWeb: true } },
        new URL("file:///etc/passwd"),
      ),
    /only http and https/,
  );
  // Declared open_web alone is not enough: the owner must grant it.
  assert.throws(
    () =>
      checkEgress(
        { skillId: "s", egress: { ...policy, openWeb: true } },
        new URL("https://anything.example/"),
      ),
    /declares open_web, but the owner has not granted it.*agentos skills allow s --open-web/,
  );
  assert.equal(
    checkEgress(
      {
        skillId: "s",
        egress: { ...policy, openWeb: true },
        grants: { hosts: [], openWeb: true },
      },
      new URL("https://anything.example/"),
    ).rule,
    "open web",
  );
  // A grant without the declaration does not open the web.
  assert.throws(() =>
    checkEgress(
      { skillId: "s", egress: policy, grants: { hosts: [], openWeb: true } },
      new URL("https://anything.example/"),
    )
  );
});

Deno.test("checkEgress() names the command that allows a host; a grant with its port may be private, one without covers public addresses only", () => {
  const policy = { hosts: ["api.example.com"], domains: [], openWeb: false };
  assert.throws(
    () =>
      checkEgress({ skillId: "s", egress: policy }, new URL("http://nas.lan/")),
    /may not reach host "nas\.lan".*To allow it run: agentos skills allow s nas\.lan$/,
  );
  assert.throws(
    () =>
      checkEgress(
        { skillId: "s", egress: policy },
        new URL("http://localhost:3456/"),
      ),
    /To allow it run: agentos skills allow s localhost:3456$/,
  );
  const subject = (hosts: string[]) => ({
    skillId: "s",
    egress: policy,
    grants: { hosts, openWeb: false },
  });
  assert.deepEqual(
    checkEgress(subject(["nas.lan:80"]), new URL("http://NAS.lan./x")),
    { rule: "owner grant", privateAllowed: true },
  );
  assert.deepEqual(
    checkEgress(subject(["nas.lan"]), new URL("http://nas.lan:9000/x")),
    { rule: "owner grant", privateAllowed: false },
  );
  // A port grant covers that port only; localhost without a port (a grant
  // made before ports) covers nothing.
  for (
    const [hosts, url] of [
      [["nas.lan:80"], "http://nas.lan:8080/"],
      [["nas.lan:443"], "http://nas.lan/"],
      [["localhost"], "http://localhost:11434/"],
      [["127.0.0.1"], "http://127.0.0.1:3456/"],
      [["[::1]:8080"], "http://[::1]:8081/"],
    ] as const
  ) {
    assert.throws(
      () => checkEgress(subject([...hosts]), new URL(url)),
      /may not reach host/,
      url,
    );
  }
  assert.equal(
    checkEgress(subject(["[::1]:8080"]), new URL("http://[::1]:8080/"))
      .privateAllowed,
    true,
  );
  assert.deepEqual(
    checkEgress(
      { skillId: "s", egress: policy },
      new URL("https://api.example.com/"),
    ),
    { rule: "declared host", privateAllowed: false },
  );
});

Deno.test("checkEgress(): a declared domain covers itself and its subdomains, never a lookalike; a mixed-case domain matches as credentials do", () => {
  const subject = {
    skillId: "s",
    egress: egressPolicy(discovery({
      connections: [connection({ domain: "Example.COM" })],
    })),
  };
  assert.deepEqual(subject.egress.domains, ["example.com"]);
  for (const url of ["https://example.com/", "https://API.Example.com./x"]) {
    assert.equal(checkEgress(subject, new URL(url)).rule, "declared domain");
  }
  for (
    const url of [
      "https://evilexample.com/",
      "https://example.com.evil.net/",
      "https://xample.com/",
    ]
  ) {
    assert.throws(
      () => checkEgress(subject, new URL(url)),
      (error: RpcError) =>
        error.code === ErrorCode.Forbidden &&
        error.message.includes(`host "${new URL(url).hostname}"`),
      url,
    );
  }
});

Deno.test("bundledGrantDefaults() grants each loopback connection's host and port, nothing public", () => {
  const defaults = bundledGrantDefaults(discovery({
    connections: [
      connection({ base_url: "http://localhost:11434/v1" }),
      connection({ name: "b", base_url: "http://127.0.0.1/" }),
      connection({ name: "c", base_url: "https://api.example.com/v1" }),
    ],
  }));
  assert.deepEqual(defaults, {
    hosts: ["127.0.0.1:80", "localhost:11434"],
    openWeb: false,
  });
});
