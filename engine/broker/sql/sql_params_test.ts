/**
 * What `sql.query` takes, each bound at itself and one past it, through a
 * real sandboxed runner: the query text (1 to 100 000 characters), the
 * parameters (a list or an object of strings, numbers, booleans and
 * nulls), the row limit (1 000 by default, whole rows), the 4 MiB of rows
 * one answer carries, and `attach` (at most 8 plain aliases of host
 * paths). Refusals come before any runner starts.
 */
import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../errors.ts";
import { withBroker } from "./_sql_test_broker.ts";
import type { SqlBroker } from "./sql_broker.ts";

const SKILL = { id: "s", connections: [] };
const MIB = 1024 * 1024;

function invalid(pattern: RegExp) {
  return (error: RpcError) =>
    error instanceof RpcError && error.code === ErrorCode.InvalidParams &&
    pattern.test(error.message);
}

/** `n` rows 1…n. */
function count(n: number): string {
  return `WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT ${n}) SELECT x FROM r`;
}

async function rows(broker: SqlBroker, params: Record<string, unknown>) {
  return (await broker.query(SKILL, params)).rows;
}

Deno.test("sql.query: the query text is 1 to 100 000 characters", () =>
  withBroker(async (broker) => {
    const head = "SELECT 1 AS x --";
    assert.deepEqual(
      await rows(broker, { sql: head.padEnd(100_000, "-") }),
      [{ x: 1 }],
    );
    for (const sql of ["", "  \n", 5, undefined, head.padEnd(100_001, "-")]) {
      await assert.rejects(
        broker.query(SKILL, { sql }),
        invalid(/"sql" must be a query of 1 to 100000 characters/),
        String(sql).slice(0, 20),
      );
    }
  }, 20));

Deno.test("sql.query: parameters are a list or an object of strings, numbers, booleans or nulls", () =>
  withBroker(async (broker) => {
    assert.deepEqual(
      await rows(broker, {
        sql: "SELECT ? AS a, ? AS b, ? AS c, ? AS d",
        params: ["s", 2.5, true, null],
      }),
      [{ a: "s", b: 2.5, c: 1, d: null }],
    );
    assert.deepEqual(
      await rows(broker, {
        sql: "SELECT :a AS a, :b AS b",
        params: { a: false, b: "t" },
      }),
      [{ a: 0, b: "t" }],
    );
    for (const params of [[[1]], [{}], { a: [1] }, { a: {} }, "x", 5, true]) {
      await assert.rejects(
        broker.query(SKILL, { sql: "SELECT 1", params }),
        invalid(/"params" must be a list or an object/),
        JSON.stringify(params),
      );
    }
  }, 20));

Deno.test("sql.query: 1 000 rows by default; a limit is whole rows, one or more", () =>
  withBroker(async (broker) => {
    const cases: [unknown, number][] = [
      [undefined, 1000],
      [0, 1000],
      [-5, 1000],
      ["5", 1000],
      [1, 1],
      [2.9, 2],
      [1500, 1500],
    ];
    for (const [limit, expected] of cases) {
      const out = await broker.query(SKILL, { sql: count(1500), limit });
      assert.equal(out.rows.length, expected, String(limit));
      assert.equal(out.truncated, expected < 1500, String(limit));
    }
  }, 20));

Deno.test("sql.query: one answer carries at most 4 MiB of rows", () =>
  withBroker(async (broker) => {
    // As the runner counts: "[" and "]", then each row as JSON and a comma;
    // one row {"x": "aa…"} of L characters weighs L + 9.
    const fill = (length: number) =>
      `SELECT substr(replace(hex(zeroblob(${length})), '00', 'a'), 1, ${length}) AS x`;
    const fits = 4 * MIB - 12;
    const exact = await broker.query(SKILL, { sql: fill(fits) });
    assert.equal(exact.truncated, false);
    assert.equal((exact.rows[0]?.x as string).length, fits);
    const over = await broker.query(SKILL, { sql: fill(fits + 1) });
    assert.equal(over.truncated, true);
    assert.deepEqual(over.rows, []);
  }, 20));

Deno.test("sql.query: attach takes at most 8 plain aliases, each a host path", () =>
  withBroker(async (broker) => {
    const aliases = (n: number) =>
      Object.fromEntries(
        Array.from({ length: n }, (_, i) => [`a${i}`, "relative.db"]),
      );
    await assert.rejects(
      broker.query(SKILL, { sql: "SELECT 1", attach: aliases(9) }),
      invalid(/"attach" must map at most 8 aliases/),
    );
    // Eight pass the count, and are refused for their paths.
    await assert.rejects(
      broker.query(SKILL, { sql: "SELECT 1", attach: aliases(8) }),
      invalid(/attach "a0" must be a path such as/),
    );
    for (const alias of ["main", "MAIN", "temp", "Temp", "1x", "a-b"]) {
      await assert.rejects(
        broker.query(SKILL, {
          sql: "SELECT 1",
          attach: { [alias]: "~/app/data.db" },
        }),
        invalid(/must be a plain name \(not main or temp\)/),
        alias,
      );
    }
    // `~`, `~/…` and absolute paths are host paths: refused here only
    // because nothing is granted.
    for (const path of ["~", "~/app/data.db", "/srv/data.db"]) {
      await assert.rejects(
        broker.query(SKILL, { sql: "SELECT 1", attach: { other: path } }),
        (error: RpcError) =>
          error instanceof RpcError && error.code === ErrorCode.Forbidden,
        path,
      );
    }
    await assert.rejects(
      broker.query(SKILL, { sql: "SELECT 1", attach: ["~/a.db"] }),
      invalid(/"attach" must map at most 8 aliases/),
    );
  }, 20));
