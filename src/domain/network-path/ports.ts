// Port ranges, and the ephemeral ports a client's replies come back to, by its OS.

export interface PortRange {
  from: number;
  to: number;
}

/**
 * The ports a client's replies come back to, by what picks them (VPC User Guide, "Ephemeral
 * ports"): Linux's own default (ip_local_port_range 32768-60999; AWS says 32768-61000 for "many
 * Linux kernels"), Windows Server 2008 and later, and Lambda (NAT gateways and ELB too). An ECS
 * task's OS is its task definition's runtimePlatform; without one it is not known (see
 * `ephemeralFor`).
 */
export const EPHEMERAL = {
  linux: { from: 32768, to: 60999 },
  windows: { from: 49152, to: 65535 },
  lambda: { from: 1024, to: 65535 },
} as const satisfies Record<string, PortRange>;

/** The client's ephemeral ports: one range when its OS is known, else each range it may use. */
export type EphemeralPorts = PortRange | readonly PortRange[];

/**
 * An ECS task's ephemeral ports from its task definition's runtimePlatform.operatingSystemFamily
 * ("LINUX" or "WINDOWS_SERVER_…"): absent, it may be either, and an ACL must pass both.
 */
export function ephemeralFor(operatingSystemFamily: string | undefined): EphemeralPorts {
  if (operatingSystemFamily === "LINUX") return EPHEMERAL.linux;
  if (operatingSystemFamily?.startsWith("WINDOWS")) return EPHEMERAL.windows;
  return [EPHEMERAL.linux, EPHEMERAL.windows];
}

/**
 * A Fargate task's `platformFamily` as an operatingSystemFamily: the OS a task definition that
 * states none runs on. Anything but Linux or Windows stays unknown.
 */
export function osOfPlatformFamily(platformFamily: string | undefined): string | undefined {
  if (!platformFamily) return undefined;
  if (/^linux$/i.test(platformFamily)) return "LINUX";
  if (/windows/i.test(platformFamily)) return "WINDOWS_SERVER";
  return undefined;
}

const OS_OF_RANGE: [PortRange, string][] = [
  [EPHEMERAL.linux, "Linux"],
  [EPHEMERAL.windows, "Windows"],
  [EPHEMERAL.lambda, "Lambda"],
];
export const osOfRange = (r: PortRange) =>
  OS_OF_RANGE.find(([k]) => k.from === r.from && k.to === r.to)?.[1];

/** Protocol "-1" is every protocol; TCP is "tcp" or "6". */
export const isTcp = (protocol: string) => ["-1", "tcp", "6"].includes(protocol.toLowerCase());
export const covers = (range: PortRange | undefined, port: number) =>
  range === undefined || (port >= range.from && port <= range.to);
export const rangeText = (r: PortRange) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`);
