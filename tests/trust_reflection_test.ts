/**
 * Reflection: a masked skill sends its placeholder to the credential's own
 * domain, the broker substitutes the real value, and a server there
 * reflects the request back. Whatever the encoding — raw, percent-encoded
 * in either case, JSON-escaped, base64 or base64url, hex, UTF-16 or
 * UTF-32, HTML character references, a truncated echo in an error, at the
 * very end of a 4 MiB body, in a header or in the final URL — the skill
 * reads its placeholder, never the value: at the broker, and through a
 * real engine and sandboxed skill.
 */
import assert from "node:assert/strict";
import type { HttpResponse } from "../engine/broker/mod.ts";
import { oneSecret, recordingServer, testBroker } from "./_trust_broker.ts";
import { EngineProcess } from "./_engine_process.ts";
import { fixture, localServer } from "./skills_helpers.ts";

const SECRET = "sk-live/R3FL+ECT=9b7e4c2a1d&x";

const bytes = (text: string) => new TextEncoder().encode(text);

function utf16(text: string, littleEndian: boolean): Uint8Array<ArrayBuffer> {
  const out = new DataView(new ArrayBuffer(text.length * 2));
  for (let i = 0; i < text.length; i++) {
    out.setUint16(i * 2, text.charCodeAt(i), littleEndian);
  }
  return new Uint8Array(out.buffer);
}

function utf32(text: string, littleEndian: boolean): Uint8Array<ArrayBuffer> {
  const points = [...text].map((c) => c.codePointAt(0)!);
  const out = new DataView(new ArrayBuffer(points.length * 4));
  points.forEach((p, i) => out.setUint32(i * 4, p, littleEndian));
  return new Uint8Array(out.buffer);
}

const base64 = (text: string) => btoa(String.fromCharCode(...bytes(text)));

/** Punctuation as named character references (the value has /, -, +, = and &). */
const NAMED: Record<string, string> = {
  "/": "&sol;",
  "&": "&amp;",
  "+": "&plus;",
  "=": "&equals;",
  "-": "&hyphen;",
  '"': "&quot;",
};

/** Punctuation named, the rest hex, decimal or raw in turn. */
const html = (text: string) =>
  [...text].map((c, i) =>
    NAMED[c] ??
      (i % 3 === 0
        ? `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`
        : i % 3 === 1
        ? `&#${c.charCodeAt(0)};`
        : c)
  ).join("");

const percentAll = (text: string, upper: boolean) =>
  [...bytes(text)].map((b) => {
    const hex = b.toString(16).padStart(2, "0");
    return `%${upper ? hex.toUpperCase() : hex}`;
  }).join("");

/** What the reflecting server sends back for each path, given the header value it received. */
const REFLECT: Record<
  string,
  (value: string) => { body: BodyInit; type?: string; status?: number }
> = {
  raw: (v) => ({ body: `you sent ${v}` }),
  "percent-upper": (v) => ({ body: `q=${percentAll(v, true)}` }),
  "percent-lower": (v) => ({ body: `q=${percentAll(v, false)}` }),
  "percent-twice": (v) => ({ body: encodeURIComponent(encodeURIComponent(v)) }),
  json: (v) => ({
    body: JSON.stringify({ key: v }).replaceAll("/", "\\/"),
    type: "application/json",
  }),
  "json-unicode": (v) => ({
    body: `{"key":"${
      [...v].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
        .join("")
    }"}`,
    type: "application/json",
  }),
  base64: (v) => ({
    body: `{"echo":"${base64(`GET /x HTTP/1.1\r\nx-key: ${v}\r\n`)}"}`,
  }),
  "base64-offset": (v) => ({ body: base64(`ab${v}cd`) }),
  base64url: (v) => ({
    body: base64(`a:${v}`).replaceAll("+", "-").replaceAll("/", "_")
      .replace(/=+$/, ""),
  }),
  "utf-16le": (v) => ({
    body: utf16(`echo ${v}`, true),
    type: "text/plain; charset=utf-16le",
  }),
  "utf-16be": (v) => ({
    body: utf16(`echo ${v}`, false),
    type: "text/plain; charset=utf-16be",
  }),
  "utf-16le-as-utf-8": (v) => ({ body: utf16(`echo ${v}`, true) }),
  "utf-32le": (v) => ({ body: utf32(`echo ${v}`, true) }),
  "utf-32be": (v) => ({ body: utf32(`echo ${v}`, false) }),
  "utf-8-as-utf-16le": (v) => ({
    body: bytes(`echo ${v}`),
    type: "text/plain; charset=utf-16le",
  }),
  html: (v) => ({ body: `<p title="${html(v)}">hi</p>`, type: "text/html" }),
  "partial-error": (v) => ({
    body: JSON.stringify({
      error: `Invalid API key "${v.slice(0, Math.ceil(v.length * 0.6))}…"`,
    }),
    status: 401,
  }),
  "end-of-4-mib": (v) => ({ body: "x".repeat(4 * 1024 * 1024) + v }),
  "upper-case": (v) => ({ body: v.toUpperCase() }),
  hex: (v) => ({
    body: Array.from(
      bytes(`x-key: ${v}`),
      (b) => b.toString(16).padStart(2, "0"),
    )
      .join(""),
  }),
};

/** Decoders a skill could apply to what it read; none may reveal the value. */
function readings(response: HttpResponse): string[] {
  const texts = [
    JSON.stringify(response),
    response.body,
    response.url,
    ...Object.entries(response.headers).flat(),
  ];
  const out: string[] = [];
  for (const text of texts) {
    out.push(text, text.replaceAll("\0", ""), text.toLowerCase());
    try {
      out.push(
        decodeURIComponent(text),
        decodeURIComponent(decodeURIComponent(text)),
      );
    } catch { /* not percent-encoded */ }
    if (/[\u0100-\uffff]/.test(text)) {
      // UTF-8 bytes that were read as UTF-16: back to bytes, either order.
      const units = Uint16Array.from(text, (c) => c.charCodeAt(0));
      const wide = new Uint8Array(units.buffer);
      out.push(new TextDecoder().decode(wide));
      out.push(new TextDecoder().decode(wide.map((_, i) => wide[i ^ 1]!)));
    }
    out.push(
      text.replace(
        /&#x([0-9a-f]+);/gi,
        (_, h) => String.fromCharCode(parseInt(h, 16)),
      )
        .replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d)))
        .replace(
          /&[a-z]+;/g,
          (name) =>
            Object.entries(NAMED).find(([, n]) => n === name)?.[0] ?? name,
        ),
    );
    // Every base64 run at each start offset (the 4 MiB filler is no base64 case).
    for (const run of text.match(/[A-Za-z0-9+/_-]{8,65536}={0,2}/g) ?? []) {
      const std = run.replaceAll("-", "+").replaceAll("_", "/").replace(
        /=+$/,
        "",
      );
      for (let skip = 0; skip < 4; skip++) {
        const part = std.slice(skip);
        try {
          out.push(atob(part.slice(0, part.length - (part.length % 4))));
        } catch { /* not base64 at this offset */ }
      }
    }
    for (const run of text.match(/(?:[0-9a-f]{2}){4,}/gi) ?? []) {
      for (const skip of [0, 1]) {
        const pairs = run.slice(skip).match(/../g) ?? [];
        out.push(String.fromCharCode(...pairs.map((p) => parseInt(p, 16))));
      }
    }
    try {
      out.push(JSON.parse(text).key ?? "");
    } catch { /* not JSON */ }
  }
  return out;
}

Deno.test("reflection: no encoding of a substituted value reaches the skill", async (t) => {
  await using server = recordingServer((request, url) => {
    const value = request.headers.get("x-key") ?? "";
    const name = url.pathname.slice(1);
    if (name === "final-url") {
      return new Response(null, {
        status: 302,
        headers: { location: `/landing?k=${encodeURIComponent(value)}` },
      });
    }
    if (name === "landing") return new Response("landed");
    if (name === "in-headers") {
      return new Response("see headers", {
        headers: {
          "x-echo": value,
          "set-cookie": `k=${encodeURIComponent(value)}`,
          [`x-${base64(value).replace(/[^a-z0-9]/gi, "")}`]: "name",
        },
      });
    }
    const reflect = REFLECT[name];
    if (!reflect) return new Response("no such case", { status: 404 });
    const { body, type, status } = reflect(value);
    return new Response(body, {
      status: status ?? 200,
      headers: { "content-type": type ?? "text/plain; charset=utf-8" },
    });
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
  const fetchCase = (name: string) =>
    broker.request(subject, {
      url: `http://api.victim.test:${server.port}/${name}`,
      headers: { "x-key": placeholder },
      params: { key: placeholder },
    });
  for (
    const name of [...Object.keys(REFLECT), "final-url", "in-headers"]
  ) {
    await t.step(name, async () => {
      const response = await fetchCase(name);
      assert.equal(server.seen.at(-1)!.headers["x-key"], SECRET, "substituted");
      for (const reading of readings(response)) {
        assert.ok(
          !reading.toLowerCase().includes(SECRET.toLowerCase()),
          `the value is readable in: ${reading.slice(-200)}`,
        );
      }
      // The skill reads its placeholder where the value was.
      const seen = JSON.stringify(response).toLowerCase();
      assert.ok(
        seen.includes(placeholder) || response.body.includes(placeholder) ||
          Object.values(response.headers).some((h) =>
            h.includes(placeholder)
          ) ||
          Object.keys(response.headers).some((h) => h.includes(placeholder)),
        `no placeholder in ${seen.slice(-300)}`,
      );
    });
  }
});

Deno.test("reflection through a real engine: a published-style skill reads its placeholder in every echo", async () => {
  await using server = localServer((request, url) => {
    const key = request.headers.get("x-api-key") ?? "";
    return Response.json({
      raw: key,
      query: url.search,
      escaped: key.replaceAll("/", "\\/"),
      base64: base64(`key=${key}`),
      html: html(key),
      partial: key.slice(0, Math.ceil(key.length * 0.6)),
    });
  });
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.keyed.test": server.origin,
      }),
    },
  });
  const client = await engine.client();
  await client.call("secrets.set", {
    domain: "keyed.test",
    value: { key: SECRET },
    for: "keyed-api",
  });
  await client.call("skills.add", { path: fixture("keyed-api") });
  const { result } = await client.call<
    { result: HttpResponse & { auth: { key: string } } }
  >(
    "skills.run",
    { skill: "keyed-api", tool: "search", params: { q: "tea" } },
  );
  const echoed = JSON.parse(result.body);
  assert.equal(echoed.raw, result.auth.key, "the skill reads its placeholder");
  for (const reading of readings({ ...result, url: "", headers: {} })) {
    assert.ok(
      !reading.toLowerCase().includes(SECRET.toLowerCase()),
      `the skill read the value in: ${reading.slice(0, 300)}`,
    );
  }
});
