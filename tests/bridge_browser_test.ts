import assert from "node:assert/strict";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";
import { seedGraph, startBridgeProcess } from "./bridge_fixture.ts";
import { within } from "./_wait.ts";

const INSTALL_HINT =
  "Headless Chromium is needed for the explorer test: install Debian's package with `apt-get update && apt-get install -y chromium` (or set AGENTOS_CHROMIUM to a Chromium binary)";

/** Finds the Chromium binary, or fails the test saying how to install it. */
function chromiumPath(): string {
  const candidates = [
    Deno.env.get("AGENTOS_CHROMIUM"),
    "chromium",
    "chromium-browser",
    "google-chrome",
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      const { success } = new Deno.Command(candidate, {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      })
        .outputSync();
      if (success) return candidate;
    } catch {
      // Not this one.
    }
  }
  throw new Error(INSTALL_HINT);
}

/** A DevTools-protocol session with one page, over the browser's WebSocket. */
class Browser implements AsyncDisposable {
  #child: Deno.ChildProcess;
  #socket: WebSocket;
  #profile: string;
  #nextId = 1;
  #pending = new Map<
    number,
    {
      resolve: (value: Record<string, unknown>) => void;
      reject: (error: Error) => void;
    }
  >();
  #session = "";
  #listeners = new Map<string, () => void>();

  private constructor(
    child: Deno.ChildProcess,
    socket: WebSocket,
    profile: string,
  ) {
    this.#child = child;
    this.#socket = socket;
    this.#profile = profile;
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.method) {
        this.#listeners.get(message.method)?.();
        return;
      }
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.error) {
        pending.reject(new Error(`DevTools: ${JSON.stringify(message.error)}`));
      } else pending.resolve(message.result);
    };
  }

  static async launch(): Promise<Browser> {
    const binary = chromiumPath();
    const profile = await Deno.makeTempDir({ prefix: "agentos-chromium-" });
    const child = new Deno.Command(binary, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-dev-shm-usage",
        `--user-data-dir=${profile}`,
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // Chromium prints its DevTools endpoint on stderr once it is ready.
    const reader = child.stderr.pipeThrough(new TextDecoderStream())
      .getReader();
    let seen = "";
    let endpoint: string | undefined;
    try {
      endpoint = await within(
        "Chromium's DevTools endpoint",
        (async () => {
          while (true) {
            const { done, value } = await reader.read();
            if (done) {
              throw new Error(
                `Chromium exited before it was ready: ${seen.slice(-2000)}`,
              );
            }
            seen += value;
            const found = /DevTools listening on (ws:\/\/\S+)/.exec(seen)?.[1];
            if (found) return found;
          }
        })(),
      );
    } catch (error) {
      child.kill("SIGKILL");
      await reader.cancel().catch(() => {});
      await child.status;
      await Deno.remove(profile, { recursive: true }).catch(() => {});
      throw error;
    }
    // Keep draining stderr so Chromium never blocks on a full pipe.
    (async () => {
      try {
        while (!(await reader.read()).done) { /* discard */ }
      } catch {
        // The process ended.
      }
    })();
    const socket = new WebSocket(endpoint);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () =>
        reject(new Error(`Cannot connect to DevTools at ${endpoint}`));
    });
    return new Browser(child, socket, profile);
  }

  send(
    method: string,
    params: Record<string, unknown> = {},
    session = this.#session,
  ): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    return within(
      `DevTools to answer ${method}`,
      new Promise<Record<string, unknown>>((resolve, reject) => {
        this.#pending.set(id, { resolve, reject });
        this.#socket.send(
          JSON.stringify({
            id,
            method,
            params,
            ...(session ? { sessionId: session } : {}),
          }),
        );
      }),
    );
  }

  /** Opens a page, attaches to it, loads `url` and waits for its load event. */
  async open(url: string): Promise<void> {
    const { targetId } = await this.send("Target.createTarget", {
      url: "about:blank",
    }, "");
    const { sessionId } = await this.send("Target.attachToTarget", {
      targetId,
      flatten: true,
    }, "");
    this.#session = String(sessionId);
    await this.send("Page.enable");
    const loaded = new Promise<void>((resolve) =>
      this.#listeners.set("Page.loadEventFired", resolve)
    );
    await this.send("Page.navigate", { url });
    await within(`the load event of ${url}`, loaded);
    this.#listeners.delete("Page.loadEventFired");
  }

  /** Evaluates an expression in the page (awaiting promises) and returns its value. */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send("Runtime.evaluate", {
      expression,
      awaitPromise: true,
      returnByValue: true,
    }) as {
      result: { value: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (exceptionDetails) {
      throw new Error(
        `In the page: ${
          exceptionDetails.exception?.description ?? exceptionDetails.text
        }`,
      );
    }
    return result.value;
  }

  /**
   * Waits (inside the page) until a CSS selector matches, then returns the
   * element's text. The deadline only bounds a broken run; nothing is timed.
   */
  waitFor(selector: string): Promise<string> {
    return this.evaluate<string>(`new Promise((resolve, reject) => {
      const deadline = Date.now() + 20000;
      const check = () => {
        const element = document.querySelector(${JSON.stringify(selector)});
        if (element) return resolve(element.textContent);
        if (Date.now() > deadline) {
          return reject(new Error("Nothing matched " + ${
      JSON.stringify(selector)
    } + " in: " + document.body.innerText.slice(0, 1500)));
        }
        requestAnimationFrame(check);
      };
      check();
    })`);
  }

  /** Clicks the element a selector matches. */
  async click(selector: string): Promise<void> {
    await this.waitFor(selector);
    await this.evaluate(
      `document.querySelector(${JSON.stringify(selector)}).click()`,
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.send("Browser.close", {}, "").catch(() => {});
    this.#socket.close();
    await new Promise((resolve) => {
      if (this.#socket.readyState === WebSocket.CLOSED) resolve(undefined);
      else this.#socket.onclose = resolve;
    });
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone after Browser.close.
    }
    await this.#child.status;
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }
}

Deno.test("the graph explorer in headless Chromium searches, opens a record, follows an edge and shows a live change", async () => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const seed = await seedGraph(client);
  const { id: launch } = await client.call<{ id: string }>("graph.create", {
    shape: "task",
    values: {
      name: "Plan the launch",
      status: "todo",
      dueAt: "2026-12-24T09:00:00Z",
      priority: 1,
    },
  });
  await using bridge = await startBridgeProcess(engine.paths.home);
  await using browser = await Browser.launch();
  // Without the one-time link the page has no token and reads nothing.
  await browser.open(`${bridge.base}/`);
  assert.match(
    await browser.waitFor("#main p.error"),
    /the link that `agentos bridge open` prints/,
  );
  // `bridge open` checks that a bridge listens on the configured port.
  const opened = await runAgentos(
    engine.paths.home,
    ["bridge", "open"],
    undefined,
    { AGENTOS_BRIDGE_PORT: new URL(bridge.base).port },
  );
  assert.equal(opened.code, 0, opened.stderr);
  const code = /\?open=(\S+)$/.exec(opened.stdout.trim())?.[1];
  assert.ok(code, opened.stdout);
  await browser.open(`${bridge.base}/?open=${code}`);

  // The activity panel shows recent history on open, before any live event.
  assert.match(
    await browser.waitFor(`#activity li.recent[data-target="${seed.ada}"]`),
    /updated\s*Ada Lovelace/,
  );

  // A shape's page: its fields and relations, then its records titled and
  // described by the shape's display fields (subtitle status, date dueAt).
  await browser.evaluate(`location.hash = "#/shape/task"`);
  assert.match(
    await browser.waitFor('#shape-fields tr[data-key="dueAt"]'),
    /dueAt\s*datetime/,
  );
  assert.match(
    await browser.waitFor('#shape-fields tr[data-relation="assigned_to"]'),
    /assigned_to →\s*person/,
  );
  assert.equal(
    await browser.waitFor(`#results li[data-id="${launch}"] .muted`),
    "todo · 2026-12-24 09:00:00 UTC",
  );
  await browser.click(`#results li[data-id="${launch}"] a`);
  assert.match(
    await browser.waitFor('#values tr[data-key="dueAt"]'),
    /2026-12-24 09:00:00 UTC\s*datetime/,
  );
  await browser.evaluate(`location.hash = ""`);

  // Shapes with counts.
  assert.match(
    await browser.waitFor('#shapes li[data-shape="task"]'),
    /tasks\s*2/,
  );
  await browser.waitFor('#live[data-state="live"]');

  // Search, then open the record found.
  await browser.evaluate(`(() => {
    document.getElementById("q").value = "Lovelace";
    document.getElementById("search").requestSubmit();
  })()`);
  await browser.click(`#results li[data-id="${seed.ada}"] a`);
  assert.equal(
    await browser.waitFor(`#record[data-id="${seed.ada}"] h1`),
    "Ada Lovelace",
  );
  assert.match(
    await browser.waitFor('#values tr[data-key="email"]'),
    /ada@example\.com/,
  );
  assert.match(await browser.waitFor("#provenance"), /created by\s*user/);
  assert.match(await browser.waitFor("#history"), /create/);

  // The edge, seen from its target, leads back to the task.
  const edge = '#edges tr.edge[data-label="assigned_to"][data-direction="in"]';
  assert.match(await browser.waitFor(edge), /Write the bridge/);
  await browser.click(`${edge} a[data-id="${seed.task}"]`);
  assert.equal(
    await browser.waitFor(`#record[data-id="${seed.task}"] h1`),
    "Write the bridge",
  );
  assert.match(
    await browser.waitFor('#edges tr.edge[data-direction="out"]'),
    /Ada Lovelace/,
  );

  // A write through the CLI arrives in the live activity stream.
  const written = await runAgentos(engine.paths.home, [
    "call",
    "graph.update",
    JSON.stringify({ id: seed.task, values: { status: "done" } }),
  ]);
  assert.equal(written.code, 0, written.stderr);
  assert.match(
    await browser.waitFor(
      `#activity li[data-target="${seed.task}"]:not(.recent)`,
    ),
    /user set .* status/,
  );

  // The page dropped the spent code from its address, and it works no more.
  assert.equal(await browser.evaluate("location.search"), "");
  const replay = await fetch(`${bridge.base}/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code }),
  });
  assert.equal(replay.status, 401);
  assert.match(
    (await replay.json()).error.message,
    /the code was already used/,
  );
});
