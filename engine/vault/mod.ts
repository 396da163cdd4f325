/**
 * The credentials vault: AES-256-GCM encrypted rows in the graph database,
 * keyed by (domain, identifier), with the master key outside the database.
 * Calls `engine/rpc`.
 *
 * @module
 */
export { type KeySource, loadVaultKey } from "./vault_key.ts";
export {
  type SecretInfo,
  type SecretValue,
  type SkillSecretInfo,
  Vault,
} from "./vault.ts";
export { importVaultKey, KEY_MISMATCH, keyOpensVault } from "./vault_check.ts";
export { openVault } from "./vault_service.ts";
export { MAX_SECRET_CHARS, secretsMethods } from "./secrets_methods.ts";
export {
  CredentialLinks,
  type LinkRequest,
  type LinkView,
} from "./credential_links.ts";
