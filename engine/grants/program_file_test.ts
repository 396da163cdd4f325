/**
 * programFileRefusal judges real host files by what they are: python and
 * perl by their entry points, a script by its `#!`, an ELF file whose
 * interpreter is not a dynamic loader; git and sleep pass.
 */
import assert from "node:assert/strict";
import { programFileRefusal } from "./mod.ts";

const read = (path: string) => Deno.readFile(path);

Deno.test("programFileRefusal(): interpreters by their bytes, ordinary programs pass", async () => {
  assert.match(
    programFileRefusal(await read(await Deno.realPath("/usr/bin/python3")))!,
    /holds an interpreter \(Py_/,
  );
  assert.match(
    programFileRefusal(await read("/usr/bin/perl"))!,
    /perl_parse/,
  );
  assert.match(
    programFileRefusal(new TextEncoder().encode("#!/bin/sh\nexec sh\n"))!,
    /a script run by \/bin\/sh/,
  );
  for (const path of ["/usr/bin/git", "/usr/bin/sleep", "/usr/bin/ps"]) {
    assert.equal(programFileRefusal(await read(path)), undefined, path);
  }
});

Deno.test("programFileRefusal(): an ELF file whose interpreter is not a loader is refused", async () => {
  const bytes = await read("/usr/bin/sleep");
  const text = new TextDecoder("latin1").decode(bytes);
  const loader = text.match(/\/lib[\w/.-]*ld-linux[\w.-]*\.so\.\d/)![0];
  const evil = "/tmp/x".padEnd(loader.length, "x");
  const at = text.indexOf(loader);
  const crafted = bytes.slice();
  crafted.set(new TextEncoder().encode(evil), at);
  assert.equal(
    programFileRefusal(crafted),
    `its ELF interpreter is ${evil}, not a dynamic loader`,
  );
});
