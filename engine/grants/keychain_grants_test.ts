import assert from "node:assert/strict";
import type { DeclaredSkill } from "./declared_skill.ts";
import { declaredKeychainItems } from "./keychain_grants.ts";

const declaring = (keychain: unknown) =>
  ({ front_matter: { keychain } }) as unknown as DeclaredSkill;

Deno.test("keychain items a readme declares: 1 to 200 characters, no control character; anything else is no item", () => {
  const longest = "k".repeat(200);
  assert.deepEqual(
    declaredKeychainItems(
      declaring([
        "Chrome Safe Storage",
        longest,
        "k".repeat(201),
        "",
        "tab\there",
        "del\u007fhere",
        "nul\u0000here",
        42,
        null,
      ]),
    ),
    ["Chrome Safe Storage", longest],
  );
  assert.deepEqual(declaredKeychainItems(declaring("One Item")), ["One Item"]);
  assert.deepEqual(declaredKeychainItems(declaring(undefined)), []);
  assert.deepEqual(declaredKeychainItems(declaring({ a: "b" })), []);
});
