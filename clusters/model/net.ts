// Address arithmetic for the plan, on top of ipaddr.js (parsing, CIDR matching, broadcast and
// network addresses). IPv4 only for machine addresses; admin CIDRs may also be IPv6.
import ipaddr from "ipaddr.js";

export interface Cidr4 {
  /** normalised text, e.g. 10.0.0.0/16 */
  text: string;
  /** first address as an unsigned 32-bit number */
  first: number;
  /** last address (broadcast) as an unsigned 32-bit number */
  last: number;
  prefix: number;
  /** number of addresses */
  size: number;
}

const toNumber = (a: ipaddr.IPv4): number => a.toByteArray().reduce((n, octet) => n * 256 + octet, 0);

export function ipFromNumber(n: number): string {
  return ipaddr
    .fromByteArray([Math.floor(n / 2 ** 24) % 256, Math.floor(n / 2 ** 16) % 256, Math.floor(n / 2 ** 8) % 256, n % 256])
    .toString();
}

export function isIp(s: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(s) || (s.includes(":") && ipaddr.IPv6.isValid(s));
}

/** Why `s` is not a CIDR with its network address (no host bits set), or undefined when it is one. */
export function cidrProblem(s: string, v4only = false): string | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  const example = "such as 10.0.0.0/16";
  if (!m || !isIp(m[1] as string) || !ipaddr.isValidCIDR(s)) return `must be ${v4only ? "an IPv4" : "a"} CIDR ${example}, not "${s}"`;
  if (v4only && s.includes(":")) return `must be an IPv4 CIDR ${example}; IPv6 is not supported here`;
  const [net, len] = ipaddr.parseCIDR(s);
  const network = net.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(s) : ipaddr.IPv6.networkAddressFromCIDR(s);
  if (network.toString() !== net.toString()) return `${s} has host bits set; did you mean ${network.toString()}/${len}?`;
  return undefined;
}

/** The one way slipway writes a network: lowercase, shortest form (2001:0DB8::/32 → 2001:db8::/32). */
export function canonicalCidr(s: string): string {
  const [addr, len] = ipaddr.parseCIDR(s);
  return `${addr.toString()}/${len}`;
}

export function parseCidr4(s: string): Cidr4 {
  const [addr, prefix] = ipaddr.IPv4.parseCIDR(s);
  const first = toNumber(ipaddr.IPv4.networkAddressFromCIDR(s));
  const last = toNumber(ipaddr.IPv4.broadcastAddressFromCIDR(s));
  return { text: `${addr.toString()}/${prefix}`, first, last, prefix, size: last - first + 1 };
}

export function overlaps(a: Cidr4, b: Cidr4): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** The address `offset` places after the network address. */
export function addressAt(c: Cidr4, offset: number): string {
  if (offset < 0 || offset >= c.size) throw new RangeError(`offset ${offset} outside ${c.text}`);
  return ipFromNumber(c.first + offset);
}

/** Split `c` into `n` equal subnets (n a power of two), in order. */
export function splitCidr(c: Cidr4, n: number): Cidr4[] {
  const bits = Math.log2(n);
  if (!Number.isInteger(bits)) throw new RangeError(`cannot split into ${n} equal subnets`);
  const prefix = c.prefix + bits;
  const size = c.size / n;
  return Array.from({ length: n }, (_, i) => parseCidr4(`${ipFromNumber(c.first + i * size)}/${prefix}`));
}
