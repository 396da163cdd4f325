/**
 * credentials.retrieve with login providers: the vault is read first and
 * a stored login is returned without asking anyone; only when the vault
 * holds none are the `login_credentials` providers asked (another
 * skill's code: each ask tells it the domain and account sought), and the
 * vault is read again for what they stored (rows the owner wrote: a
 * provider skill's own `__secrets__` rows serve that skill alone). Rows
 * are stored for the asking skill: a row serves only the skills it lists. A
 * provider that fails is a login not found. A real vault in a temp directory, a real
 * CallCredentials; the providers are the function the engine passes in.
 */
import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../errors.ts";
import { openDatabase } from "../../graph/mod.ts";
import type { SkillEntry } from "../../skills/mod.ts";
import { loadVaultKey, Vault } from "../../vault/mod.ts";
import { CallCredentials } from "./mod.ts";
import { retrieveCredentials } from "./retrieve_credentials.ts";

const SKILL = {
  id: "acme",
  discovery: {
    connections: [{ name: "api", base_url: "https://api.acme.test/v1" }],
    tools: [],
    problems: [],
    front_matter: { capabilities: ["http"] },
  },
} as unknown as SkillEntry;

const PASSWORD = "correct-horse-battery-staple-0123";

/** Rows stored for the skill (a row serves only the skills it lists). */
const FOR_SKILL = { add: [SKILL.id] };

async function withVault(fn: (vault: Vault) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "agentos-retrieve-" });
  const db = openDatabase(`${dir}/agentos.db`);
  try {
    await fn(
      await Vault.open(
        db,
        await loadVaultKey({ kind: "file", path: `${dir}/vault.key` }),
      ),
    );
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Providers that record each ask and, when told to, store a login as
 * `writer` (the owner, asked by a provider; or the provider skill's own
 * `__secrets__`, `skill:<id>`).
 */
function providers(vault: Vault, store: boolean, writer = "owner") {
  const asked: Record<string, unknown>[] = [];
  const ask = async (params: Record<string, unknown>) => {
    asked.push(params);
    if (store) {
      await vault.set(
        String(params.domain),
        "ada@acme.test",
        { username: "ada", password: PASSWORD },
        writer,
        FOR_SKILL,
      );
    }
    return { found: store };
  };
  return { asked, ask };
}

const PARAMS = { domain: "api.acme.test", required: ["password"] };

Deno.test("credentials.retrieve: a stored login comes from the vault; the providers are not asked", () =>
  withVault(async (vault) => {
    await vault.set(
      "api.acme.test",
      "",
      {
        username: "ada",
        password: PASSWORD,
      },
      undefined,
      FOR_SKILL,
    );
    const { asked, ask } = providers(vault, false);
    const credentials = new CallCredentials(false);
    const found = await retrieveCredentials(SKILL, PARAMS, {
      vault,
      credentials,
      askProviders: ask,
    });
    assert.equal(found.found, true);
    assert.equal(found.source, "vault");
    assert.deepEqual(found.value, { username: "ada", password: PASSWORD });
    assert.deepEqual(asked, [], "a provider was asked for a stored login");
  }));

Deno.test("credentials.retrieve: with none stored the providers are asked once, and what they store is returned", () =>
  withVault(async (vault) => {
    const { asked, ask } = providers(vault, true);
    const found = await retrieveCredentials(
      SKILL,
      { ...PARAMS, account: "ada@acme.test" },
      { vault, credentials: new CallCredentials(false), askProviders: ask },
    );
    assert.deepEqual(asked, [{
      domain: "api.acme.test",
      account: "ada@acme.test",
      required: ["password"],
    }]);
    assert.equal(found.found, true);
    assert.equal(found.identifier, "ada@acme.test");
    assert.deepEqual(found.value, { username: "ada", password: PASSWORD });
  }));

Deno.test("credentials.retrieve: a login another skill stored through __secrets__ never serves the asking skill", () =>
  withVault(async (vault) => {
    // No skill can make another act with a key it chose: a provider's
    // own row serves that provider alone.
    const { asked, ask } = providers(vault, true, "skill:passwords");
    const found = await retrieveCredentials(SKILL, PARAMS, {
      vault,
      credentials: new CallCredentials(false),
      askProviders: ask,
    });
    assert.equal(asked.length, 1);
    assert.deepEqual(found, { found: false });
  }));

Deno.test("credentials.retrieve: providers that find nothing, fail, or are absent give found: false", () =>
  withVault(async (vault) => {
    const none = providers(vault, false);
    assert.deepEqual(
      await retrieveCredentials(SKILL, PARAMS, {
        vault,
        credentials: new CallCredentials(false),
        askProviders: none.ask,
      }),
      { found: false },
    );
    assert.equal(none.asked.length, 1);
    let failed = 0;
    assert.deepEqual(
      await retrieveCredentials(SKILL, PARAMS, {
        vault,
        credentials: new CallCredentials(false),
        askProviders: () => {
          failed++;
          return Promise.reject(new Error("provider crashed"));
        },
      }),
      { found: false },
    );
    assert.equal(failed, 1);
    assert.deepEqual(
      await retrieveCredentials(SKILL, PARAMS, {
        vault,
        credentials: new CallCredentials(false),
      }),
      { found: false },
    );
  }));

Deno.test("credentials.retrieve: the domain is read as a host (case, spaces, a leading dot or *. ignored); none is refused; only the skill's own domains and their parents", () =>
  withVault(async (vault) => {
    await vault.set(
      "api.acme.test",
      "",
      { password: PASSWORD },
      undefined,
      FOR_SKILL,
    );
    await vault.set(
      "acme.test",
      "",
      { password: "parent-login-0123456789" },
      undefined,
      FOR_SKILL,
    );
    await vault.set(
      "other.test",
      "",
      { password: "other-login-0123456789" },
      undefined,
      FOR_SKILL,
    );
    const retrieve = (domain: unknown) =>
      retrieveCredentials(SKILL, { domain, required: ["password"] }, {
        vault,
        credentials: new CallCredentials(false),
      });
    for (
      const spelt of [" API.Acme.TEST ", ".api.acme.test", "*.api.acme.test"]
    ) {
      const found = await retrieve(spelt);
      assert.deepEqual(found.value, { password: PASSWORD }, spelt);
    }
    // The connection's parent domain holds the site's login too.
    assert.deepEqual((await retrieve("acme.test")).value, {
      password: "parent-login-0123456789",
    });
    // A subdomain of the connection's host is the skill's own too.
    assert.deepEqual(await retrieve("eu.api.acme.test"), { found: false });
    // A name longer than DNS allows (253) is cut there, so it is no
    // subdomain of the skill's host: 254 characters are refused.
    for (const length of [254, 300]) {
      const long = "a".repeat(length - ".api.acme.test".length) +
        ".api.acme.test";
      await assert.rejects(
        retrieve(long),
        (error: RpcError) => error.code === ErrorCode.Forbidden,
        `${length} characters`,
      );
    }
    for (const none of ["", "  ", undefined, 7]) {
      await assert.rejects(
        retrieve(none),
        (error: RpcError) =>
          error.code === ErrorCode.InvalidParams &&
          /needs a "domain"/.test(error.message),
        String(none),
      );
    }
    for (const other of ["other.test", "evilacme.test", "acme.test.evil"]) {
      await assert.rejects(
        retrieve(other),
        (error: RpcError) =>
          error.code === ErrorCode.Forbidden &&
          /only for its own connections' domains/.test(error.message),
        other,
      );
    }
  }));

Deno.test("credentials.retrieve: any domain only for a skill that declares secrets and was granted real values", () =>
  withVault(async (vault) => {
    await vault.set(
      "other.test",
      "",
      { password: "other-login-0123456789" },
      undefined,
      FOR_SKILL,
    );
    const manager = {
      ...SKILL,
      discovery: {
        ...SKILL.discovery,
        front_matter: { capabilities: ["http", "secrets"] },
      },
    } as unknown as SkillEntry;
    const retrieve = (skill: SkillEntry, masked: boolean) =>
      retrieveCredentials(skill, { domain: "other.test" }, {
        vault,
        credentials: new CallCredentials(masked),
      });
    const granted = await retrieve(manager, false);
    assert.deepEqual(granted.value, { password: "other-login-0123456789" });
    for (
      const [name, skill, masked] of [
        ["declares secrets, not granted", manager, true],
        ["granted, no secrets declared", SKILL, false],
        ["neither", SKILL, true],
      ] as const
    ) {
      await assert.rejects(
        retrieve(skill, masked),
        (error: RpcError) => error.code === ErrorCode.Forbidden,
        name,
      );
    }
  }));

Deno.test("credentials.retrieve: a row without every required field is passed over for one that has them", () =>
  withVault(async (vault) => {
    await vault.set(
      "api.acme.test",
      "",
      { username: "ada" },
      undefined,
      FOR_SKILL,
    );
    await vault.set(
      "api.acme.test",
      "bob@acme.test",
      {
        username: "bob",
        password: PASSWORD,
      },
      undefined,
      FOR_SKILL,
    );
    const retrieve = (required: string[]) =>
      retrieveCredentials(SKILL, { domain: "api.acme.test", required }, {
        vault,
        credentials: new CallCredentials(false),
      });
    const found = await retrieve(["username", "password"]);
    assert.equal(found.identifier, "bob@acme.test");
    assert.deepEqual(await retrieve(["password", "otp"]), { found: false });
    // With nothing required, the default account comes first.
    assert.equal((await retrieve([])).identifier, "");
  }));
