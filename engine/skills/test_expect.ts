/**
 * What a `@test` case may expect of its call, beyond not raising:
 * `expect={"shape": "plant", "min_count": 1, "values": {...}}`. An
 * AgentOS extension: the reference SDK keeps a case's extra keys and
 * ignores them. Checked by `skills validate` (the expectation's own form)
 * and by `skills test` (the call's records against it).
 *
 * @module
 */
import { closest } from "../closest_word.ts";
import { isObject } from "../is_object.ts";

/** The keys an expectation may hold. */
export const EXPECT_KEYS = ["shape", "min_count", "values"] as const;

/**
 * What is wrong with an expectation as written: not an object, an unknown
 * key (with the nearest known one), a value of the wrong kind.
 *
 * @param expect the case's `expect`
 * @returns one message per problem (none for a sound expectation)
 */
export function expectProblems(expect: unknown): string[] {
  if (!isObject(expect)) {
    return [`expect must be an object, got ${JSON.stringify(expect)}`];
  }
  const problems: string[] = [];
  for (const key of Object.keys(expect)) {
    if ((EXPECT_KEYS as readonly string[]).includes(key)) continue;
    const near = closest(key, EXPECT_KEYS);
    problems.push(
      `expect has unknown key "${key}"${
        near ? ` (did you mean "${near}"?)` : ""
      }; known: ${EXPECT_KEYS.join(", ")}`,
    );
  }
  const { shape, min_count: min, values } = expect;
  if (shape !== undefined && (typeof shape !== "string" || shape === "")) {
    problems.push("expect.shape must be a shape name");
  }
  if (min !== undefined && !(Number.isSafeInteger(min) && Number(min) >= 0)) {
    problems.push("expect.min_count must be a whole number, 0 or more");
  }
  if (values !== undefined && !isObject(values)) {
    problems.push("expect.values must be an object of field: value");
  }
  return problems;
}

/** One record of a call: its shape (when known) and its values. */
export interface ReturnedRecord {
  shape: string | undefined;
  values: Record<string, unknown>;
}

/**
 * The records a tool's result holds, as `@returns` reads them: a list's
 * items, an object's `_items`, or the object itself; an item's own
 * `shape` key names its shape, else the tool's `@returns` does.
 *
 * @param result what the call returned (the caller's view)
 * @param returns the tool's `@returns` argument
 * @returns the records, in order (items that are not objects left out)
 */
export function returnedRecords(
  result: unknown,
  returns: unknown,
): ReturnedRecord[] {
  const declared = typeof returns === "string" && returns !== ""
    ? returns.replace(/\[\]$/, "")
    : undefined;
  const items = Array.isArray(result)
    ? result
    : isObject(result) && Array.isArray(result._items)
    ? result._items
    : result === null || result === undefined
    ? []
    : [result];
  return items.filter(isObject).map((values) => ({
    shape: typeof values.shape === "string" ? values.shape : declared,
    values,
  }));
}

/**
 * What a call's records fail of an expectation: each unmet part, said
 * with what was found instead.
 *
 * @param expect a sound expectation (see {@linkcode expectProblems})
 * @param records the call's records
 * @returns one message per unmet part (none when all are met)
 */
export function unmetExpectations(
  expect: Record<string, unknown>,
  records: ReturnedRecord[],
): string[] {
  const unmet: string[] = [];
  const { shape, min_count: min, values } = expect;
  if (typeof shape === "string") {
    const other = records.find((r) => r.shape !== shape);
    if (other) {
      unmet.push(
        `expected records of shape "${shape}", got one of ${
          other.shape ? `"${other.shape}"` : "no shape"
        }`,
      );
    }
  }
  if (typeof min === "number" && records.length < min) {
    unmet.push(
      `expected at least ${min} record${
        min === 1 ? "" : "s"
      }, got ${records.length}`,
    );
  }
  if (isObject(values) && !records.some((r) => holds(r.values, values))) {
    unmet.push(
      `expected a record with ${
        JSON.stringify(values).slice(0, 200)
      }, none of ${records.length} has all of them`,
    );
  }
  return unmet;
}

/** Whether a record has each expected value (JSON-equal). */
function holds(
  record: Record<string, unknown>,
  expected: Record<string, unknown>,
): boolean {
  return Object.entries(expected).every(([key, value]) =>
    key in record && sameJson(record[key], value)
  );
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || !a || !b) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length &&
    keysA.every((key) =>
      sameJson(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
      )
    );
}
