/**
 * Composed encodings of a substituted value, as an echoing server of the
 * credential's own domain returns them (a pagination cursor is often the
 * base64 of a percent-encoded query): the masked skill must read none of
 * them. Against main at 3230f0f every chain ending in base64, base64url
 * or hex passed the guard (21 of the 64 two-step chains and 294 of the
 * 512 three-step ones; `tests/trust_reflection_chains_test.ts` failed
 * there with "base64(percent(key)) reached the skill"); the chained guard
 * (issue #24 item 6, engine/broker/credentials/reflection_chains.ts) holds
 * them.
 */
import assert from "node:assert/strict";
import { oneSecret, recordingServer, testBroker } from "./_trust_broker.ts";

const SECRET = "sk/live+Q7zK9:mPq2Wx4?Rt8Y";

const bytes = (text: string) => new TextEncoder().encode(text);
const base64 = (text: string) => btoa(String.fromCharCode(...bytes(text)));
const base64url = (text: string) =>
  base64(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const hex = (text: string) =>
  Array.from(bytes(text), (b) => b.toString(16).padStart(2, "0")).join("");

/** What the echo returns, and how the skill decodes it back. */
const CHAINS: Record<string, [(v: string) => string, (s: string) => string]> = {
  "base64(percent(key))": [
    (v) => base64(encodeURIComponent(v)),
    (s) => decodeURIComponent(atob(s)),
  ],
  "hex(base64(key))": [
    (v) => hex(base64(v)),
    (s) =>
      atob(
        String.fromCharCode(
          ...(s.match(/../g) ?? []).map((p) => parseInt(p, 16)),
        ),
      ),
  ],
  "base64url(base64(key))": [
    (v) => base64url(base64(v)),
    (s) => atob(atob(s.replaceAll("-", "+").replaceAll("_", "/"))),
  ],
};

Deno.test({
  name:
    "reflection chains: a composed encoding of the key echoed by its own domain reaches the skill masked",
  fn: async (t) => {
    await using server = recordingServer((request, url) => {
      const value = request.headers.get("x-key") ?? "";
      const chain = CHAINS[decodeURIComponent(url.pathname.slice(1))];
      return Response.json({ cursor: chain ? chain[0](value) : "" });
    });
    await using broker = testBroker({
      names: { "api.victim.test": ["127.0.0.1"] },
    });
    const { credentials, placeholder } = oneSecret("victim.test", SECRET);
    const subject = {
      skillId: "thief",
      egress: { hosts: ["api.victim.test"], domains: [], openWeb: false },
      grants: { hosts: [`api.victim.test:${server.port}`], openWeb: false },
      credentials,
    };
    for (const [name, [, decode]] of Object.entries(CHAINS)) {
      await t.step(name, async () => {
        const response = await broker.request(subject, {
          url: `http://api.victim.test:${server.port}/${
            encodeURIComponent(name)
          }`,
          headers: { "x-key": placeholder },
        });
        const cursor = String(JSON.parse(response.body).cursor);
        let decoded = "";
        try {
          decoded = decode(cursor);
        } catch { /* masked: no longer decodes */ }
        assert.notEqual(decoded, SECRET, `${name} reached the skill`);
      });
    }
  },
});
