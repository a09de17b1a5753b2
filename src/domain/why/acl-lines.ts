// Network ACL hops of many subnet pairs as few lines: the pairs every ACL lets through become one
// line per direction (the requests, the replies), naming the ACLs, ports and subnets; a pair that
// is denied or unknown keeps its own line, so a merged line never hides a broken pair.

import type { PathCheck } from "../network-path.ts";

type Direction = "requests" | "replies";

/** The merged line's hop name for a direction. */
export const aclLink = (d: Direction) => `network ACLs (${d})`;

interface Piece {
  direction: Direction;
  /** The subnet whose ACL it is, and whether the packet leaves or enters it. */
  subnet: string;
  way: "out" | "in";
  /** "acl-… allows TCP 80" (the peer address left out: the subnets say where). */
  rule: string;
}

const HOP = /^(.+) (out|in)( \(replies\))?$/;
const ALLOWS = /^(.+ allows TCP \S+) (?:to|from) \S+$/;

/** An ok ACL hop read back into its parts; undefined for any other hop. */
function pieceOf(check: PathCheck): Piece | undefined {
  if (check.status !== "ok" || /security groups (in|out)$/.test(check.link)) return undefined;
  const hop = HOP.exec(check.link);
  const allows = ALLOWS.exec(check.detail);
  if (!hop?.[1] || !hop[2] || !allows?.[1]) return undefined;
  return {
    direction: hop[3] ? "replies" : "requests",
    subnet: hop[1],
    way: hop[2] as "out" | "in",
    rule: allows[1],
  };
}

const unique = (xs: string[]) => [...new Set(xs)];

function mergedLine(direction: Direction, pieces: Piece[], within: string[], partial: boolean) {
  const rules = unique(pieces.map((p) => p.rule));
  const outs = unique(pieces.filter((p) => p.way === "out").map((p) => p.subnet)).sort();
  const ins = unique(pieces.filter((p) => p.way === "in").map((p) => p.subnet)).sort();
  // Every subnet both sends and receives: one list of them.
  const where =
    outs.join() === ins.join()
      ? `between ${outs.join(", ")}`
      : `out of ${outs.join(", ")}, into ${ins.join(", ")}`;
  const across = pieces.length > 0 ? `${rules.join("; ")} ${where}` : undefined;
  const alone =
    within.length > 0
      ? `${within.length === 1 ? `within ${within[0]}` : "within each subnet"}: no network ACL between the two ends`
      : undefined;
  const detail = [across, alone].filter(Boolean).join("; ");
  return {
    link: aclLink(direction),
    status: "ok" as const,
    detail: partial ? `the other subnet pairs: ${detail}` : detail,
  };
}

/**
 * One leg's hops with its ACL hops merged: each direction's allowed hops in one line where the
 * first of them stood; a hop denied or unknown stays as it was (its own subnet, its own fix).
 */
export function mergeAclHops(checks: PathCheck[]): PathCheck[] {
  const pieces = checks.map(pieceOf);
  // Two ends in one subnet meet no ACL: said in the requests' line.
  const within = unique(
    checks.flatMap((c) =>
      c.link === "network ACLs" && c.status === "ok"
        ? [/^both in (\S+):/.exec(c.detail)?.[1] ?? ""].filter(Boolean)
        : [],
    ),
  );
  const isWithin = (c: PathCheck) => c.link === "network ACLs" && c.status === "ok";
  const left = (d: Direction) =>
    checks.some(
      (c, i) =>
        !pieces[i] &&
        !isWithin(c) &&
        !/security groups (in|out)$/.test(c.link) &&
        (d === "replies") === c.link.endsWith("(replies)"),
    );
  const out: PathCheck[] = [];
  const placed = new Set<Direction>();
  checks.forEach((c, i) => {
    const piece = pieces[i];
    const direction: Direction | undefined =
      piece?.direction ?? (isWithin(c) ? "requests" : undefined);
    if (!direction) {
      out.push(c);
      return;
    }
    if (placed.has(direction)) return;
    placed.add(direction);
    const mine = pieces.filter((p): p is Piece => p?.direction === direction);
    out.push(mergedLine(direction, mine, direction === "requests" ? within : [], left(direction)));
  });
  return out;
}
