/**
 * The SQL broker's backstop: a runner that never reaches SQLite's progress
 * handler (its database is a FIFO nobody writes, so opening it blocks) is
 * killed with SIGKILL 5 s after the query's deadline, and the query ends
 * as a timeout rather than hanging the call.
 */
import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../errors.ts";
import { within } from "../../../tests/_wait.ts";
import { connection, withBroker } from "./_sql_test_broker.ts";

Deno.test("SqlBroker.query(): a runner stuck outside SQLite is killed 5 s after the deadline", () =>
  withBroker(async (broker, dir) => {
    await Deno.mkdir(`${dir}/skill-data/s`, { recursive: true });
    const fifo = `${dir}/skill-data/s/stuck.db`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(made.success, "mkfifo");
    await Deno.chmod(fifo, 0o666);
    const skill = {
      id: "s",
      connections: [connection({ name: "stuck", sqlite: "stuck.db" })],
    };
    const started = performance.now();
    await within(
      "the backstop",
      assert.rejects(
        broker.query(skill, { sql: "SELECT 1", db: "stuck" }),
        (error: RpcError) =>
          error instanceof RpcError && error.code === ErrorCode.Timeout,
      ),
      { timeoutMs: 60_000 },
    );
    const seconds = (performance.now() - started) / 1000;
    // The deadline is 1 s; the backstop fires at 1 + 5 s.
    assert.ok(seconds >= 5.5, `killed after ${seconds.toFixed(1)} s`);
  }, 1));
