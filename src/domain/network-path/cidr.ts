// IPv4 addresses and CIDRs: containment, overlap and the CIDR covering several.

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

function parseCidr(cidr: string): { first: number; last: number } | undefined {
  const [base, bits] = cidr.split("/");
  const network = ipv4ToNumber(base ?? "");
  const prefix = bits === undefined ? 32 : Number(bits);
  if (network === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return;
  const size = 2 ** (32 - prefix);
  const first = Math.floor(network / size) * size;
  return { first, last: first + size - 1 };
}

/** Whether two IPv4 CIDRs (or addresses) share any address. */
export function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x !== undefined && y !== undefined && x.first <= y.last && y.first <= x.last;
}

/** The smallest IPv4 CIDR that holds all of these (one ACL entry for several subnets). */
export function coveringCidr(cidrs: readonly string[]): string | undefined {
  const ranges = cidrs.map(parseCidr);
  if (ranges.length === 0 || ranges.some((r) => r === undefined)) return undefined;
  const first = Math.min(...ranges.map((r) => r?.first ?? 0));
  const last = Math.max(...ranges.map((r) => r?.last ?? 0));
  let prefix = 32;
  while (
    prefix > 0 &&
    Math.floor(first / 2 ** (32 - prefix)) !== Math.floor(last / 2 ** (32 - prefix))
  )
    prefix--;
  const base = Math.floor(first / 2 ** (32 - prefix)) * 2 ** (32 - prefix);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}

/**
 * Whether an IPv4 address is inside an IPv4 CIDR (false for anything that is not IPv4). Given a
 * CIDR instead of an address (a Lambda's ENIs may take any address of their subnet), whether
 * all of it is inside: a rule covering only part of a subnet is not counted as letting it through.
 */
export function inCidr(ip: string, cidr: string): boolean {
  const inner = parseCidr(ip);
  const outer = parseCidr(cidr);
  if (!inner || !outer || (!ip.includes("/") && ip.split(".").length !== 4)) return false;
  return inner.first >= outer.first && inner.last <= outer.last;
}
