/**
 * Headless Chromium driven over the DevTools protocol, for the tests that
 * drive the bridge's pages (the explorer, the graph picture, the
 * credential page).
 *
 * @module
 */
import { within } from "./_wait.ts";

const INSTALL_HINT =
  "Headless Chromium is needed for the explorer test: install Debian's package with `apt-get update && apt-get install -y chromium` (or set AGENTOS_CHROMIUM to a Chromium binary)";

/** Finds the Chromium binary, or fails the test saying how to install it. */
export function chromiumPath(): string {
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
export class Browser implements AsyncDisposable {
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
