import { ErrorCode, RpcError } from "../errors.ts";

/** Resolves a host name to its addresses (a seam for tests). */
export type Resolver = (
  host: string,
  signal?: AbortSignal,
) => Promise<string[]>;

/** A checked address the broker may connect to. */
export interface CheckedAddress {
  /** The IP address to connect to. */
  address: string;
  /** `public`, or the private range the owner allowed (`loopback`…). */
  kind: string;
}

/** Longest wait for DNS answers. */
const DNS_TIMEOUT_MS = 5000;

/**
 * Resolves a host with `Deno.resolveDns`, A and AAAA records together.
 *
 * @param host a host name (not an IP literal)
 * @param signal cancels the lookup
 * @returns every address found (empty when none)
 */
export async function resolveWithDns(
  host: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const timeout = AbortSignal.timeout(DNS_TIMEOUT_MS);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const answers = await Promise.allSettled([
    Deno.resolveDns(host, "A", { signal: combined }),
    Deno.resolveDns(host, "AAAA", { signal: combined }),
  ]);
  return answers.flatMap((answer) =>
    answer.status === "fulfilled" ? answer.value : []
  );
}

/**
 * Resolves a host and checks EVERY address it has: the broker refuses a
 * host any of whose addresses is private, loopback, link-local, unique
 * local, CGNAT, multicast or otherwise not public (a public name that
 * also resolves to 127.0.0.1 is refused), unless the owner allowed this
 * exact host. The caller then connects to the returned address, never to
 * the name, so a second lookup cannot answer differently (DNS rebinding).
 *
 * @param host the URL's host name or IP literal (IPv6 without brackets)
 * @param options the resolver, whether private addresses are allowed for this host, how to name the skill
 * @returns the address to connect to
 * @throws {RpcError} Forbidden naming the host and address
 */
export async function checkAddress(
  host: string,
  options: {
    resolve: Resolver;
    privateAllowed: boolean;
    skillId: string;
    signal?: AbortSignal;
    /** The port the request goes to: the grant a refusal suggests names it. */
    port?: number;
  },
): Promise<CheckedAddress> {
  let addresses: string[];
  if (isIpLiteral(host)) addresses = [host];
  else if (host === "localhost" || host.endsWith(".localhost")) {
    // RFC 6761: these names are loopback, whatever a resolver says.
    addresses = ["127.0.0.1"];
  } else {
    try {
      addresses = await options.resolve(host, options.signal);
    } catch (error) {
      addresses = [];
      if (options.signal?.aborted) throw error;
    }
    if (addresses.length === 0) {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Cannot resolve host "${host}": no A or AAAA records`,
        { host, check: "address" },
      );
    }
  }
  let first: CheckedAddress | undefined;
  for (const address of addresses) {
    const kind = addressKind(address);
    if (kind !== "public" && !options.privateAllowed) {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Skill "${options.skillId}" may not reach host "${host}": it resolves to ${kind} address ${address}, which skills may not reach. If this is a service of yours, allow the host by name and port: agentos skills allow ${options.skillId} ${
          options.port === undefined
            ? host
            : `${host.includes(":") ? `[${host}]` : host}:${options.port}`
        }`,
        { host, address, kind, check: "address" },
      );
    }
    first ??= { address, kind };
  }
  return first!;
}

/**
 * Whether a string is an IPv4 or IPv6 literal.
 *
 * @param host a host
 * @returns true for `1.2.3.4` or `::1`
 */
export function isIpLiteral(host: string): boolean {
  return parseIpv4(host) !== undefined || parseIpv6(host) !== undefined;
}

/**
 * Classifies an IP address: `public`, or the reason it is not
 * (`loopback`, `private`, `link-local`, `unique-local`, `cgnat`,
 * `multicast`, `unspecified`, `reserved`). IPv4 addresses embedded in
 * IPv6 (mapped, NAT64, 6to4, IPv4-compatible) are classified by the IPv4
 * address inside.
 *
 * @param address an IPv4 or IPv6 literal
 * @returns the class
 */
export function addressKind(address: string): string {
  const v4 = parseIpv4(address);
  if (v4) return ipv4Kind(v4);
  const v6 = parseIpv6(address);
  if (!v6) return "reserved";
  return ipv6Kind(v6);
}

function ipv4Kind([a, b, c]: number[]): string {
  if (a === 127) return "loopback";
  if (
    a === 10 || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168)
  ) {
    return "private";
  }
  if (a === 169 && b === 254) return "link-local";
  if (a === 100 && b! >= 64 && b! <= 127) return "cgnat";
  if (a! >= 224 && a! <= 239) return "multicast";
  if (a === 0) return "unspecified";
  if (
    a! >= 240 || // reserved and broadcast
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF, TEST-NET-1
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    (a === 192 && b === 88 && c === 99) // 6to4 relay anycast
  ) return "reserved";
  return "public";
}

function ipv6Kind(words: number[]): string {
  const [w0, w1, w2, w3, w4, w5, w6, w7] = words as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const embedded = (hi: number, lo: number) =>
    ipv4Kind([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const zeroPrefix = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0;
  if (zeroPrefix && w5 === 0 && w6 === 0) {
    if (w7 === 0) return "unspecified";
    if (w7 === 1) return "loopback";
  }
  if (zeroPrefix && (w5 === 0xffff || w5 === 0)) return embedded(w6, w7); // mapped, compatible
  if (w0 === 0x64 && w1 === 0xff9b) return embedded(w6, w7); // NAT64
  if (w0 === 0x2002) return embedded(w1, w2); // 6to4
  if ((w0 & 0xfe00) === 0xfc00) return "unique-local";
  if ((w0 & 0xffc0) === 0xfe80) return "link-local";
  if ((w0 & 0xffc0) === 0xfec0) return "private"; // deprecated site-local
  if ((w0 & 0xff00) === 0xff00) return "multicast";
  if (w0 === 0x2001 && w1 === 0x0db8) return "reserved"; // documentation
  if (w0 === 0x2001 && w1 === 0) return "reserved"; // Teredo: hides the real peer
  if (w0 === 0x0100 && w1 === 0 && w2 === 0 && w3 === 0) return "reserved"; // discard
  return "public";
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIpv6(text: string): number[] | undefined {
  let value = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (!value.includes(":")) return undefined;
  // A trailing dotted IPv4 part becomes two words.
  const tail = /:(\d+\.\d+\.\d+\.\d+)$/.exec(value);
  if (tail) {
    const v4 = parseIpv4(tail[1]!);
    if (!v4) return undefined;
    value = value.slice(0, -tail[1]!.length) +
      `${((v4[0]! << 8) | v4[1]!).toString(16)}:${
        ((v4[2]! << 8) | v4[3]!).toString(16)
      }`;
  }
  const halves = value.split("::");
  if (halves.length > 2) return undefined;
  const words = (part: string) => part === "" ? [] : part.split(":");
  const head = words(halves[0]!);
  const rest = halves.length === 2 ? words(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [
    ...head,
    ...Array(halves.length === 2 ? missing : 0).fill("0"),
    ...rest,
  ];
  const out: number[] = [];
  for (const word of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(word)) return undefined;
    out.push(parseInt(word, 16));
  }
  return out.length === 8 ? out : undefined;
}
