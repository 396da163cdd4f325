/**
 * Credentials in a call: the placeholders a skill sees, substitution of
 * real values on the way out to the credential's own domain, redaction on
 * the way back, and loading a skill's credentials from the vault. Calls
 * `engine/skills` (the catalog's credential domains).
 *
 * @module
 */
export {
  type CallCredential,
  CallCredentials,
  type CarriedCredential,
  type CredentialValue,
  DEFAULT_GUARD_BUDGET_MS,
  INLINE_GUARD_CHARS,
  type OffThreadGuard,
  type RequestTarget,
} from "./call_credentials.ts";
export { GuardPool } from "./guard_pool.ts";
export { dropKept as dropKeptGuardArrays } from "./guard_scratch.ts";
export type { CredentialScope } from "./credential_scope.ts";
export { ONE_PLACEHOLDER, PLACEHOLDER } from "./placeholder.ts";
export {
  type AuthTemplate,
  MAX_TEMPLATE_CHARS,
  MIN_SENT_CHARS,
  parseTemplate,
  REFUSED_MESSAGE,
  renderShown,
  renderTemplate,
  TemplateError,
  TemplateRefused,
} from "./auth_template.ts";
export {
  type CredentialSource,
  credentialState,
  declaresSecrets,
  findCredential,
  fitsConnection,
  ownRow,
  readOwnSecret,
  type ReadSecretOptions,
  setCommand,
  skillLabel,
  usableBy,
  writtenFor,
} from "./skill_credentials.ts";
export {
  type ConnectionCredential,
  loadCredentials,
  type LoadedCredentials,
} from "./load_credentials.ts";
export {
  KEYCHAIN_DOMAIN,
  readKeychain,
  type ReadKeychainOptions,
} from "./keychain.ts";
export {
  type Cookie,
  cookieKey,
  cookiesFromRow,
  isCookieAuth,
  JAR_FIELD,
  MIN_MASKED_COOKIE,
  rowFromCookies,
} from "./stored_cookies.ts";
export {
  needsCredentials,
  requiresCredential,
  secretsSetCommand,
  toolConnection,
} from "./needs_credentials.ts";
export {
  retrieveCredentials,
  type RetrieveOptions,
} from "./retrieve_credentials.ts";
export { placeholderFragment, transformedKeyError } from "./transformed_key.ts";
