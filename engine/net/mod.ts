/**
 * Address checks for outbound connections: which addresses are loopback,
 * private or public, IP-literal detection, and resolving a host with DNS
 * before the check. Calls no other subsystem.
 *
 * @module
 */
export {
  addressKind,
  checkAddress,
  type CheckedAddress,
  isIpLiteral,
  type Resolver,
  resolveWithDns,
} from "./address_guard.ts";
