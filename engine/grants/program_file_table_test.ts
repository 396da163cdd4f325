/**
 * A program file judged by its bytes, entry by entry: every interpreter's
 * marker, a script's first line (cut at 200 bytes), the ELF program
 * headers read at their offsets for 32 and 64 bit (the interpreter's
 * header first, second, or past the count; the table ending exactly at
 * the end of the file), files too short or not ELF passed, and a copy of
 * an interpreter found by its bytes under another name. The ELF files are
 * made here, field by field.
 */
import assert from "node:assert/strict";
import { programFileRefusal, programFileRefusalAt } from "./mod.ts";

const MARKERS = [
  "Py_BytesMain",
  "Py_Initialize",
  "perl_parse",
  "ruby_run_node",
  "lua_pcall",
  "node::Start",
  "php_execute_script",
  "Tcl_EvalFile",
  "GNU bash",
  "BusyBox",
];

const LOADER = "/lib64/ld-linux-x86-64.so.2";

/**
 * A little-endian ELF file: its header, the interpreter's path, then the
 * program headers (PT_LOAD and PT_INTERP in the order given), ending
 * exactly at the end of the last one.
 */
function elf(
  wide: boolean,
  interp: string,
  options: { interpFirst?: boolean; counted?: number } = {},
): Uint8Array {
  const header = wide ? 64 : 52;
  const size = wide ? 56 : 32;
  const path = new TextEncoder().encode(`${interp}\0`);
  const phoff = header + path.length;
  const bytes = new Uint8Array(phoff + 2 * size);
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, wide ? 2 : 1, 1, 1]);
  bytes.set(path, header);
  if (wide) {
    view.setBigUint64(0x20, BigInt(phoff), true);
    view.setUint16(0x36, size, true);
    view.setUint16(0x38, options.counted ?? 2, true);
  } else {
    view.setUint32(0x1c, phoff, true);
    view.setUint16(0x2a, size, true);
    view.setUint16(0x2c, options.counted ?? 2, true);
  }
  const types = options.interpFirst ? [3, 1] : [1, 3];
  types.forEach((type, i) => {
    const at = phoff + i * size;
    view.setUint32(at, type, true);
    if (wide) {
      view.setBigUint64(at + 8, BigInt(type === 3 ? header : 0), true);
      view.setBigUint64(at + 0x20, BigInt(type === 3 ? path.length : 1), true);
    } else {
      view.setUint32(at + 4, type === 3 ? header : 0, true);
      view.setUint32(at + 16, type === 3 ? path.length : 1, true);
    }
  });
  return bytes;
}

Deno.test("programFileRefusal(): each interpreter's marker, anywhere in the file", () => {
  for (const marker of MARKERS) {
    const bytes = new TextEncoder().encode(`\x01\x02 padding ${marker} more`);
    assert.equal(
      programFileRefusal(bytes),
      `it holds an interpreter (${marker})`,
      marker,
    );
  }
  assert.equal(
    programFileRefusal(new TextEncoder().encode("an ordinary program")),
    undefined,
  );
});

Deno.test("programFileRefusal(): a script names its first line, cut at 200 bytes, or a shell", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  assert.equal(
    programFileRefusal(encode("#!/bin/sh -e\necho\n")),
    "it is a script run by /bin/sh -e",
  );
  assert.equal(
    programFileRefusal(encode("#!\necho\n")),
    "it is a script run by a shell",
  );
  assert.equal(
    programFileRefusal(encode(`#!${"x".repeat(300)}`)),
    `it is a script run by ${"x".repeat(198)}`,
  );
  assert.equal(programFileRefusal(encode("#/bin/sh\n")), undefined);
  assert.equal(programFileRefusal(encode("!#/bin/sh\n")), undefined);
});

Deno.test("programFileRefusal(): the ELF interpreter read at its offsets, 32 and 64 bit", () => {
  for (const wide of [true, false]) {
    for (const interpFirst of [true, false]) {
      const what = `${wide ? 64 : 32} bit, interpreter ${
        interpFirst ? "first" : "second"
      }`;
      assert.equal(
        programFileRefusal(elf(wide, "/tmp/evil", { interpFirst })),
        "its ELF interpreter is /tmp/evil, not a dynamic loader",
        what,
      );
      assert.equal(
        programFileRefusal(elf(wide, LOADER, { interpFirst })),
        undefined,
        what,
      );
    }
    // A header past the count is not read.
    assert.equal(
      programFileRefusal(elf(wide, "/tmp/evil", { counted: 1 })),
      undefined,
    );
  }
});

Deno.test("programFileRefusal(): a 64-byte ELF file is read (its one program header inside the ELF header)", () => {
  const bytes = new Uint8Array(64);
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  view.setBigUint64(0x20, 8n, true); // the program header at 8
  view.setUint16(0x36, 56, true); // ending at 64
  view.setUint16(0x38, 1, true);
  view.setUint32(8, 3, true); // PT_INTERP
  view.setBigUint64(16, 24n, true); // its path at 24 …
  view.setBigUint64(40, 4n, true); // … of 4 bytes
  bytes.set(new TextEncoder().encode("/a/b"), 24);
  assert.equal(
    programFileRefusal(bytes),
    "its ELF interpreter is /a/b, not a dynamic loader",
  );
});

Deno.test("programFileRefusal(): not ELF, or too short to be one, is not parsed", () => {
  for (const at of [0, 1]) {
    const bytes = elf(true, "/tmp/evil");
    bytes[at] = 0;
    assert.equal(programFileRefusal(bytes), undefined, `byte ${at}`);
  }
  for (const length of [2, 63]) {
    const bytes = new Uint8Array(length);
    bytes.set([0x7f, 0x45]);
    assert.equal(programFileRefusal(bytes), undefined, String(length));
  }
});

Deno.test("programFileRefusalAt(): a script refused as one; a copy of an interpreter by its bytes; a file of its size but other bytes passes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agentos-program-file-" });
  try {
    await Deno.writeTextFile(`${dir}/tool`, "#!/bin/sh\necho\n");
    assert.equal(
      await programFileRefusalAt(`${dir}/tool`),
      "it is a script run by /bin/sh",
    );
    const dash = await Deno.stat("/usr/bin/dash").catch(() => undefined);
    if (dash?.isFile) {
      await Deno.copyFile("/usr/bin/dash", `${dir}/mygit`);
      // The first name it answers to (`sh` is dash on many hosts).
      assert.match(
        (await programFileRefusalAt(`${dir}/mygit`)) ?? "",
        /^it is the same file as \/(usr\/)?bin\/(sh|dash)$/,
      );
      await Deno.writeFile(`${dir}/same-size`, new Uint8Array(dash.size));
      assert.equal(await programFileRefusalAt(`${dir}/same-size`), undefined);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
