// A digest too large for one invocation is split into parts, each judged by its own invocation
// of the digest function and gathered by the last to finish. Parts follow clusters: a cluster's
// services are described together and its tasks listed once, so splitting one costs calls.

export interface PartService {
  cluster: string;
  service: string;
}

/**
 * `services` in parts of at most `max` (at least one service each), whole clusters together
 * where they fit (largest first, each into the first part with room); a cluster larger than
 * `max` alone is cut into parts of its own.
 */
export function partsOf(services: readonly PartService[], max: number): PartService[][] {
  const size = Math.max(1, Math.floor(max));
  const byCluster = new Map<string, PartService[]>();
  for (const s of services) byCluster.set(s.cluster, [...(byCluster.get(s.cluster) ?? []), s]);
  const clusters = [...byCluster.values()].sort(
    (a, b) => b.length - a.length || (a[0]?.cluster ?? "").localeCompare(b[0]?.cluster ?? ""),
  );
  const parts: PartService[][] = [];
  for (const members of clusters) {
    if (members.length > size) {
      for (let i = 0; i < members.length; i += size) parts.push(members.slice(i, i + size));
      continue;
    }
    const room = parts.find((p) => p.length + members.length <= size);
    if (room) room.push(...members);
    else parts.push([...members]);
  }
  return parts;
}
