/**
 * A thread of SSE subscribers for `tests/bridge_bench.ts`: opens `subs`
 * streams, waits until each is live, then reads `total` changes from each and
 * reports, per received chunk, the delay of its oldest change (an upper bound
 * for the whole chunk). Chunks are measured rather than events so that the
 * measuring stays cheap next to what is measured.
 *
 * @module
 */
/// <reference lib="deno.worker" />

self.onmessage = async (message: MessageEvent) => {
  const { base, token, subs, total } = message.data as {
    base: string;
    token: string;
    subs: number;
    total: number;
  };
  const readers: ReadableStreamDefaultReader<string>[] = [];
  for (let i = 0; i < subs; i++) {
    const response = await fetch(`${base}/observer/stream`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream())
      .getReader();
    let text = "";
    while (!text.includes("event: ready")) {
      text += (await reader.read()).value ?? "";
    }
    readers.push(reader);
  }
  self.postMessage({ ready: true });
  const delays: number[] = [];
  await Promise.all(readers.map(async (reader) => {
    let received = 0;
    while (received < total) {
      const { value, done } = await reader.read();
      if (done) throw new Error("A stream ended early");
      const now = Date.now();
      const at = /"at":"([^"]+)"/.exec(value)?.[1];
      if (at) delays.push(now - Date.parse(at));
      received += value.split("event: change").length - 1;
    }
    await reader.cancel();
  }));
  self.postMessage({ delays });
};
