/**
 * Prints "N passed, N failed" from a JUnit XML report (as written by
 * `deno test --junit-path`). Exits 1 when any test failed or none ran.
 *
 * @module
 */
// deno-lint-ignore-file no-console
const [path] = Deno.args;
if (!path) {
  console.error("usage: junit_summary.ts <junit.xml>");
  Deno.exit(2);
}
const xml = await Deno.readTextFile(path);
let passed = 0;
let failed = 0;
let skipped = 0;
for (
  const match of xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)
) {
  const body = match[2] ?? "";
  if (/<(failure|error)\b/.test(body)) failed++;
  else if (/<skipped\b/.test(body)) skipped++;
  else passed++;
}
console.log(
  `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`,
);
Deno.exit(failed > 0 || passed === 0 ? 1 : 0);
