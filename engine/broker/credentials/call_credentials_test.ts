import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../errors.ts";
import { CallCredentials, INLINE_GUARD_CHARS } from "./call_credentials.ts";
import { GuardPool } from "./guard_pool.ts";
import { PLACEHOLDER } from "./placeholder.ts";
import { credentialDomains, registrableDomain } from "../../grants/mod.ts";

const KEY = "sk-live-REAL/key+with&odd=chars";

Deno.test("registrableDomain() and credentialDomains() derive where a connection's credential lives", () => {
  assert.equal(registrableDomain("api.openai.com"), "openai.com");
  assert.equal(registrableDomain("www.bbc.co.uk"), "bbc.co.uk");
  assert.equal(registrableDomain("me.github.io"), "me.github.io");
  assert.equal(registrableDomain("localhost"), "localhost");
  assert.equal(registrableDomain("10.0.0.1"), "10.0.0.1");
  assert.deepEqual(
    credentialDomains("s", {
      name: "api",
      base_url: "https://a.b.example.com/v1",
      domain: null,
    }),
    {
      connection: "api",
      candidates: ["a.b.example.com", "b.example.com", "example.com"],
      keyedBySkill: false,
    },
  );
  assert.deepEqual(
    credentialDomains("s", {
      name: "api",
      base_url: "https://a.example.com",
      domain: ".Example.org",
    }).candidates,
    ["example.org"],
  );
  // A skill's own credential has no domain candidate: its id is looked up
  // in the vault's skill namespace, never among the domains.
  assert.deepEqual(credentialDomains("localhost", undefined), {
    connection: null,
    candidates: [],
    keyedBySkill: true,
    skill: "localhost",
  });
});

Deno.test("CallCredentials masks values and substitutes them only for the credential's own domain", () => {
  const credentials = new CallCredentials(true);
  const auth = credentials.add({
    domain: "example.com",
    value: { key: KEY },
    scope: { domain: "example.com" },
  }) as Record<string, string>;
  assert.match(auth.key!, PLACEHOLDER);
  assert.ok(!JSON.stringify(auth).includes("REAL"));
  const params = {
    url: `https://api.example.com/x/${auth.key}?k=${auth.key}&other=a%20b`,
    params: { key: auth.key },
    headers: { authorization: `Bearer ${auth.key}` },
    json: { nested: [`${auth.key}`] },
  };
  const { params: sent, used } = credentials.substitute(params, {
    host: "api.example.com",
    skillId: "s",
  });
  assert.deepEqual(used, ["example.com"]);
  const url = new URL(sent.url as string);
  assert.equal(url.searchParams.get("k"), KEY);
  assert.equal(url.searchParams.get("other"), "a b");
  assert.equal(decodeURIComponent(url.pathname), `/x/${KEY}`);
  assert.deepEqual(sent.params, { key: KEY });
  assert.deepEqual(sent.headers, { authorization: `Bearer ${KEY}` });
  assert.deepEqual(sent.json, { nested: [KEY] });
  // Anywhere else: refused, and the message never holds the value.
  assert.throws(
    () =>
      credentials.substitute(params, {
        host: "evil.example.net",
        skillId: "s",
      }),
    (error: RpcError) =>
      error.code === ErrorCode.Forbidden &&
      /credential for "example\.com" to host "evil\.example\.net"/.test(
        error.message,
      ) && !error.message.includes("REAL"),
  );
  // A placeholder that is not this call's is refused too.
  assert.throws(
    () =>
      credentials.substitute(
        { url: `https://api.example.com/?k=agentos-secret-${"0".repeat(32)}` },
        { host: "api.example.com", skillId: "s" },
      ),
    /does not belong to this call/,
  );
});

Deno.test("CallCredentials refuses real values bound elsewhere, masks responses and redacts logs", () => {
  const credentials = new CallCredentials(false);
  assert.equal(
    credentials.add({
      domain: "example.com",
      value: KEY,
      scope: { domain: "example.com" },
    }),
    KEY,
  );
  credentials.assertMayCarry([`Bearer ${KEY}`], {
    host: "sub.example.com",
    skillId: "s",
  });
  for (
    const text of [
      `https://evil.test/?k=${encodeURIComponent(KEY)}`,
      JSON.stringify({ k: KEY }),
      KEY,
    ]
  ) {
    assert.throws(
      () =>
        credentials.assertMayCarry([text], {
          host: "evil.test",
          skillId: "s",
        }),
      /to host "evil\.test"/,
    );
  }
  assert.equal(credentials.redact(`x ${KEY} y`), "x [secret] y");
  assert.deepEqual(credentials.redactValue({ a: [KEY] }), { a: ["[secret]"] });
  const masked = new CallCredentials(true);
  const auth = masked.add({
    domain: "example.com",
    value: { key: KEY },
    scope: { domain: "example.com" },
  }) as Record<string, string>;
  assert.equal(masked.mask(`echo ${KEY}`), `echo ${auth.key}`);
});

Deno.test("CallCredentials: a credential for example.com is refused for the lookalike evilexample.com, by substitute and by the value scan", () => {
  const masked = new CallCredentials(true);
  const placeholder = masked.add({
    domain: "example.com",
    value: KEY,
    scope: { domain: "example.com" },
  }) as string;
  const target = (host: string) => ({ host, skillId: "s" });
  const lookalikes = ["evilexample.com", "example.com.evil.net", "xample.com"];
  for (const host of lookalikes) {
    assert.throws(
      () =>
        masked.substitute({
          url: `https://${host}/`,
          headers: { k: placeholder },
        }, target(host)),
      (error: RpcError) =>
        error.code === ErrorCode.Forbidden &&
        error.message.includes(`to host "${host}"`),
      host,
    );
  }
  // The domain itself and a real subdomain are the credential's.
  for (const host of ["example.com", "api.example.com"]) {
    const { used } = masked.substitute({ headers: { k: placeholder } }, {
      host,
      skillId: "s",
    });
    assert.deepEqual(used, ["example.com"], host);
  }
  const real = new CallCredentials(false);
  real.add({
    domain: "example.com",
    value: KEY,
    scope: { domain: "example.com" },
  });
  for (const host of lookalikes) {
    assert.throws(
      () => real.assertMayCarry([`Bearer ${KEY}`], target(host)),
      /credential for "example\.com"/,
      host,
    );
  }
  real.assertMayCarry([`Bearer ${KEY}`], target("api.example.com"));
});

Deno.test("CallCredentials.redact() removes the URL-encoded and JSON-escaped forms of a secret, not only the raw one", () => {
  const credentials = new CallCredentials(false);
  const value = 'k3y/with"quote+and&amp';
  credentials.add({
    domain: "example.com",
    value,
    scope: { domain: "example.com" },
  });
  for (
    const form of [
      encodeURIComponent(value),
      encodeURIComponent(value).toLowerCase(),
      JSON.stringify(value).slice(1, -1),
      JSON.stringify(value).slice(1, -1).replaceAll("/", "\\/"),
      new URLSearchParams({ v: value }).toString().slice(2),
    ]
  ) {
    const out = credentials.redact(`before ${form} after`);
    assert.equal(out, "before [secret] after", form);
  }
});

Deno.test("CallCredentials: URL substitution encodes, placeholders match in any case, a host-list scope keeps its domains", () => {
  const credentials = new CallCredentials(true);
  const ph = credentials.add({
    domain: "example.com",
    value: KEY,
    scope: { hosts: ["api.other.test"], domains: ["example.com"] },
  }) as string;
  const target = { host: "sub.example.com", skillId: "s" };
  const { params } = credentials.substitute(
    {
      url: `https://sub.example.com/x/${ph}`,
      headers: { k: ph.toUpperCase() },
    },
    target,
  );
  // The value is one path segment, never a path, query or fragment of its own.
  assert.equal(
    new URL(params.url as string).pathname,
    `/x/${encodeURIComponent(KEY)}`,
  );
  assert.deepEqual(params.headers, { k: KEY });
  credentials.substitute({ headers: { k: ph } }, {
    host: "api.other.test",
    skillId: "s",
  });
});

Deno.test("CallCredentials.assertMayCarry() refuses a placeholder bound elsewhere, and JSON-escaped and form-encoded values", () => {
  const masked = new CallCredentials(true);
  const ph = masked.add({
    domain: "example.com",
    value: "k3y",
    scope: { domain: "example.com" },
  }) as string;
  assert.throws(
    () =>
      masked.assertMayCarry([`x ${ph}`], { host: "evil.test", skillId: "s" }),
    /credential for "example\.com" to host "evil\.test"/,
  );
  const real = new CallCredentials(false);
  const value = 'pass "word"\\ 1!';
  real.add({ domain: "example.com", value, scope: { domain: "example.com" } });
  for (
    const text of [
      JSON.stringify({ k: value }),
      new URLSearchParams({ k: value }).toString(),
    ]
  ) {
    assert.throws(
      () => real.assertMayCarry([text], { host: "evil.test", skillId: "s" }),
      /credential for "example\.com" to host "evil\.test"/,
      text,
    );
  }
});

Deno.test("CallCredentials.assertMayCarry() never compares a masked skill's text with a value it never saw, so a refusal answers no guess", () => {
  const masked = new CallCredentials(true);
  const pin = "482913";
  const ph = masked.add({
    domain: "pin.test",
    value: pin,
    scope: { domain: "pin.test" },
  }) as string;
  // Half of the six-digit candidates, the stored one among them: sent.
  const guesses = Array.from(
    { length: 500_000 },
    (_, i) => String(i + 250_000).padStart(6, "0"),
  ).join(",");
  masked.assertMayCarry([guesses, `https://exfil.test/?g=${pin}`], {
    host: "exfil.test",
    skillId: "s",
  });
  // Its placeholder is still refused there.
  assert.throws(
    () =>
      masked.assertMayCarry([`x ${ph}`], { host: "exfil.test", skillId: "s" }),
    /credential for "pin\.test" to host "exfil\.test"/,
  );
});

Deno.test("CallCredentials.redact() removes base64 forms and secret object keys", () => {
  const credentials = new CallCredentials(false);
  credentials.add({
    domain: "example.com",
    value: KEY,
    scope: { domain: "example.com" },
  });
  const basic = `Basic ${btoa(`user:${KEY}`)}`;
  assert.ok(
    !credentials.redact(basic).includes(btoa(`user:${KEY}`).slice(8, 30)),
  );
  assert.match(credentials.redact(basic), /\[secret\]/);
  assert.deepEqual(credentials.redactValue({ [KEY]: 1 }), { "[secret]": 1 });
});

Deno.test("redactValuesOffThread(): values under 64 KiB of text are redacted inline whatever the budget; from 64 KiB on they take the guard worker's budget", async () => {
  assert.equal(INLINE_GUARD_CHARS, 64 * 1024);
  const credentials = new CallCredentials(true);
  credentials.add({
    domain: "example.com",
    value: KEY,
    scope: { domain: "example.com" },
  });
  const pool = new GuardPool(1);
  try {
    // Strings, keys included, counted once each: n - 1 characters in all.
    const under = {
      k: `${KEY} ${"x".repeat(INLINE_GUARD_CHARS - 1 - KEY.length - 2)}`,
    };
    const [out] = await credentials.redactValuesOffThread([under], {
      pool,
      budgetMs: 0,
    });
    assert.ok(!JSON.stringify(out).includes(KEY));
    assert.match((out as { k: string }).k, /^\[secret\] x+$/);
    // n characters: off the thread, where a spent budget refuses.
    const at = { k: under.k + "x" };
    await assert.rejects(
      credentials.redactValuesOffThread([at], { pool, budgetMs: 0 }),
      (error: unknown) =>
        error instanceof RpcError && error.code === ErrorCode.Timeout,
    );
  } finally {
    pool.close();
  }
});

Deno.test("a spent guard budget is refused with the owner's literal message, for a response and for a result", async () => {
  const credentials = new CallCredentials(true);
  credentials.add({
    domain: "example.com",
    value: KEY,
    scope: { domain: "example.com" },
  });
  const pool = new GuardPool(1);
  const refusal = async (work: Promise<unknown>) => {
    try {
      await work;
    } catch (error) {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, ErrorCode.Timeout);
      assert.deepEqual(error.data, {
        check: "reflection_guard",
        budget_ms: 0,
      });
      return error.message;
    }
    throw new Error("not refused");
  };
  const fix =
    ". The owner can raise the budget: agentos prefs set http.guard_budget_ms <ms>";
  try {
    const guard = { pool, budgetMs: 0 };
    const response =
      "The reflection guard spent this call's budget of 0 ms on its responses; the response is withheld, and so is every further one of this call" +
      fix;
    assert.equal(
      await refusal(credentials.maskOffThread("x", guard)),
      response,
    );
    assert.equal(
      await refusal(credentials.redactOffThread("x", guard)),
      response,
    );
    assert.equal(
      await refusal(
        credentials.redactValuesOffThread(
          ["y".repeat(INLINE_GUARD_CHARS)],
          guard,
        ),
      ),
      "The reflection guard spent this call's budget of 0 ms on its responses and its result; the tool's result is withheld and nothing of it is stored" +
        fix,
    );
  } finally {
    pool.close();
  }
});
