/**
 * The bundled skills (python/skills/) against local HTTP servers reached
 * through the origin map: the llm provider, the web reader and the feed
 * importer.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { localServer, rejectsWith } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

const ARTICLE = `<!doctype html>
<html lang="en"><head>
  <title>  The Art of Tea </title>
  <meta name="description" content="How to brew tea well.">
  <meta property="og:site_name" content="Tea Times">
  <link rel="canonical" href="https://news.example.com/tea">
  <script>var tracking = "ignore me";</script>
</head><body>
  <nav>Home · About · Login</nav>
  <article><h1>The Art of Tea</h1>
    <p>Water matters more than leaves.</p>
    <p>Steep green tea at 80&deg;C for &lt;3 minutes.</p>
  </article>
  <footer>© Tea Times</footer>
</body></html>`;

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
  <title>Ada's Blog</title><link>https://blog.example.com/</link>
  <item><title>First post</title><link>https://blog.example.com/first</link>
    <guid>post-1</guid><pubDate>Mon, 06 Sep 2021 16:45:00 +0000</pubDate>
    <author>ada@example.com (Ada Lovelace)</author>
    <description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</description>
    <category>intro</category></item>
  <item><title>Second post</title><link>https://blog.example.com/second</link>
    <dc:creator>Ada Lovelace</dc:creator><pubDate>Tue, 07 Sep 2021 09:00:00 GMT</pubDate>
    <description>More.</description></item>
</channel></rss>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Notes</title><link href="https://notes.example.org/"/>
  <author><name>Grace</name><uri>https://notes.example.org/about</uri></author>
  <entry><title>Atom entry</title><link href="https://notes.example.org/e1"/>
    <id>urn:e1</id><updated>2024-03-01T12:00:00Z</updated>
    <summary>Short</summary><content type="html">&lt;p&gt;Long text&lt;/p&gt;</content></entry>
</feed>`;

Deno.test("bundled skills work against local servers through the origin map", async (t) => {
  const chats: Json[] = [];
  await using server = localServer(async (request, url) => {
    if (url.pathname === "/v1/chat/completions") {
      const body = await request.json();
      chats.push({ body, auth: request.headers.get("authorization") });
      if (body.model === "broken") {
        return Response.json({ error: { message: "model not found" } }, {
          status: 404,
        });
      }
      return Response.json({
        model: body.model,
        choices: [{
          message: {
            role: "assistant",
            content: `echo: ${body.messages.at(-1).content}`,
          },
          finish_reason: "stop",
        }],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      });
    }
    if (url.pathname === "/tea") {
      return new Response(ARTICLE, {
        headers: { "content-type": "text/html; charset=utf-8" },
      });
    }
    if (url.pathname === "/rss.xml") {
      return new Response(RSS, {
        headers: { "content-type": "application/rss+xml" },
      });
    }
    if (url.pathname === "/atom.xml") {
      return new Response(ATOM, {
        headers: { "content-type": "application/atom+xml" },
      });
    }
    return new Response("nope", { status: 404 });
  });
  const map = Object.fromEntries(
    [
      "http://localhost:11434",
      "https://api.openai.com",
      "https://news.example.com",
      "https://example.com",
      "https://blog.example.com",
      "https://notes.example.org",
    ].map((origin) => [origin, server.origin]),
  );
  await using engine = await EngineProcess.start({
    env: { AGENTOS_ORIGIN_MAP: JSON.stringify(map) },
  });
  const client = await engine.client();

  await t.step(
    "llm: capability.invoke chats with an OpenAI-compatible endpoint",
    async () => {
      const out = await client.call<{ result: Json; provider: Json }>(
        "capability.invoke",
        { name: "llm", params: { prompt: "hi there", system: "Be brief." } },
      );
      assert.deepEqual(out.provider, {
        skill: "openai-compatible",
        tool: "chat",
      });
      assert.equal(out.result.content, "echo: hi there");
      assert.equal(out.result.model, "llama3.2");
      assert.deepEqual(out.result.usage, {
        prompt_tokens: 3,
        completion_tokens: 2,
        total_tokens: 5,
      });
      const sent = chats.at(-1)!;
      assert.deepEqual((sent.body as Json).messages, [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi there" },
      ]);
      assert.equal(sent.auth, null);
    },
  );

  await t.step(
    "llm: the openai connection sends the key from params.auth",
    async () => {
      const out = await client.call<{ result: Json }>("skills.run", {
        skill: "openai-compatible",
        tool: "chat",
        params: {
          messages: [{ role: "user", content: "yo" }],
          connection: "openai",
          auth: { key: "sk-test" },
        },
      });
      assert.equal(out.result.model, "gpt-4o-mini");
      assert.equal(chats.at(-1)!.auth, "Bearer sk-test");
    },
  );

  await t.step(
    "llm: an endpoint error becomes a skill error naming the status",
    async () => {
      await rejectsWith(
        client.call("skills.run", {
          skill: "openai-compatible",
          tool: "chat",
          params: { prompt: "x", model: "broken" },
        }),
        ErrorCode.SkillFailed,
        /ollama answered HTTP 404: model not found/,
      );
    },
  );

  await t.step(
    "llm: skills test passes against the local endpoint",
    async () => {
      const report = await client.call<Json>("skills.test", {
        skill: "openai-compatible",
      });
      assert.equal(report.passed, 1);
      assert.equal(report.failed, 0);
    },
  );

  await t.step("web_read: a webpage record with readable text", async () => {
    const out = await client.call<{ result: Json; records: Json }>(
      "capability.invoke",
      { name: "web_read", params: { url: "https://news.example.com/tea" } },
    );
    const page = out.result;
    assert.equal(page.url, "https://news.example.com/tea");
    assert.equal(page.name, "The Art of Tea");
    assert.equal(page.summary, "How to brew tea well.");
    assert.equal(page.siteName, "Tea Times");
    assert.equal(page.language, "en");
    assert.equal(
      page.content,
      "The Art of Tea\nWater matters more than leaves.\nSteep green tea at 80°C for <3 minutes.",
    );
    assert.equal(page.wordCount, 17);
    assert.equal((out.records as Json).created, 2); // the page and its website
    const node = await client.call<{ shapes: string[]; values: Json }>(
      "graph.get",
      { id: ((out.records as Json).ids as string[])[0] },
    );
    assert.deepEqual(node.shapes, ["webpage"]);
    assert.equal(node.values.wordCount, 17);
  });

  await t.step(
    "feeds: RSS posts with author accounts and the website",
    async () => {
      const out = await client.call<{ result: Json[]; records: Json }>(
        "skills.run",
        {
          skill: "feeds",
          tool: "import_feed",
          params: { url: "https://blog.example.com/rss.xml" },
        },
      );
      assert.equal(out.result.length, 2);
      const [first, second] = out.result as Json[];
      assert.equal(first!.url, "https://blog.example.com/first");
      assert.equal(first!.published, "2021-09-06T16:45:00+00:00");
      assert.equal(first!.content, "Hello world");
      assert.deepEqual(first!.hashtags, ["intro"]);
      assert.deepEqual(first!.author, {
        identifier: "ada@example.com",
        displayName: "Ada Lovelace",
        email: "ada@example.com",
        at: {
          url: "https://blog.example.com/",
          domain: "blog.example.com",
          name: "Ada's Blog",
        },
      });
      assert.equal((second!.author as Json).identifier, "Ada Lovelace");
      // 2 posts, 2 accounts (by email and by name), 1 website.
      assert.equal(out.records.created, 5);
      const posts = await client.call<
        { items: { id: string; values: Json }[] }
      >(
        "graph.list",
        { shape: "post" },
      );
      assert.equal(posts.items.length, 2);
      const post = await client.call<
        { edges_out: { label: string; to: string }[] }
      >(
        "graph.get",
        { id: (out.records.ids as string[])[0] },
      );
      const author = post.edges_out.find((e) => e.label === "author")!;
      const account = await client.call<
        { shapes: string[]; edges_out: { label: string }[] }
      >(
        "graph.get",
        { id: author.to },
      );
      assert.deepEqual(account.shapes, ["account"]);
      assert.ok(account.edges_out.some((e) => e.label === "at"));
      // Importing again updates in place.
      const again = await client.call<{ records: Json }>("skills.run", {
        skill: "feeds",
        tool: "import_feed",
        params: { url: "https://blog.example.com/rss.xml" },
      });
      assert.equal(again.records.created, 0);
    },
  );

  await t.step(
    "feeds: Atom entries, the feed's author standing in for each entry's",
    async () => {
      const out = await client.call<{ result: Json[] }>("skills.run", {
        skill: "feeds",
        tool: "import_feed",
        params: { url: "https://notes.example.org/atom.xml" },
      });
      assert.equal(out.result.length, 1);
      const entry = out.result[0]!;
      assert.equal(entry.url, "https://notes.example.org/e1");
      assert.equal(entry.remoteId, "urn:e1");
      assert.equal(entry.published, "2024-03-01T12:00:00Z");
      assert.equal(entry.summary, "Short");
      assert.equal(entry.content, "Long text");
      assert.equal((entry.author as Json).displayName, "Grace");
      assert.equal(
        (entry.author as Json).identifier,
        "https://notes.example.org/about",
      );
    },
  );
});
