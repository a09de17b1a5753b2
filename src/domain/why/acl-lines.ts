// Network ACL hops of many subnet pairs as few lines: the pairs every ACL lets through become one
// line per direction (the requests, the replies), naming the ACLs, ports and subnets; a pair that
// is denied or unknown keeps its own line, so a merged line never hides a broken pair. Used by the
// direct path (why/path.ts) and by each leg through a balancer (load-balancing/reach.ts).

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

/** The fields of a hop this reads: a PathCheck, or a why's check (routes, groups) beside them. */
type Hop = Pick<PathCheck, "link" | "detail"> & { status: string };

/** A subnet's ACL hop ("subnet-… out", "subnet-… in (replies)"), whatever it decided. */
const isAclHop = (c: Hop) => HOP.test(c.link) && !/security groups (in|out)$/.test(c.link);

/** An ok ACL hop read back into its parts; undefined for any other hop. */
function pieceOf(check: Hop): Piece | undefined {
  if (check.status !== "ok" || !isAclHop(check)) return undefined;
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

/** One ACL rule with the subnets it lets the packet out of and into (either may be none). */
function ruleWhere(rule: string, pieces: Piece[]): string {
  const mine = pieces.filter((p) => p.rule === rule);
  const outs = unique(mine.filter((p) => p.way === "out").map((p) => p.subnet)).sort();
  const ins = unique(mine.filter((p) => p.way === "in").map((p) => p.subnet)).sort();
  // Every subnet both sends and receives: one list of them.
  if (outs.join() === ins.join()) return `${rule} between ${outs.join(", ")}`;
  const where = [
    outs.length > 0 ? `out of ${outs.join(", ")}` : "",
    ins.length > 0 ? `into ${ins.join(", ")}` : "",
  ];
  return `${rule} ${where.filter(Boolean).join(", ")}`;
}

function mergedLine(direction: Direction, pieces: Piece[], within: string[], partial: boolean) {
  // Each ACL with its own subnets, in the order the packet meets them: those it leaves first.
  const leaves = (r: string) => pieces.some((p) => p.rule === r && p.way === "out");
  const rules = unique(pieces.map((p) => p.rule)).sort((a, b) => +leaves(b) - +leaves(a));
  const across = pieces.length > 0 ? rules.map((r) => ruleWhere(r, pieces)).join("; ") : undefined;
  const alone =
    within.length > 0
      ? `within ${within.length === 1 ? "" : "each of "}${within.sort().join(", ")}: no network ACL between the two ends`
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
 * Any other hop (groups, routes) passes through untouched, in its place.
 */
export function mergeAclHops<T extends Hop>(checks: T[]): (T | PathCheck)[] {
  const pieces = checks.map(pieceOf);
  // Two ends in one subnet meet no ACL: said in the requests' line.
  const within = unique(
    checks.flatMap((c) =>
      c.link === "network ACLs" && c.status === "ok"
        ? [/^both in (\S+):/.exec(c.detail)?.[1] ?? ""].filter(Boolean)
        : [],
    ),
  );
  const isWithin = (c: Hop) => c.link === "network ACLs" && c.status === "ok";
  // An ACL hop of that direction not merged (denied, unknown): the merged line is the others'.
  const left = (d: Direction) =>
    checks.some(
      (c, i) => !pieces[i] && isAclHop(c) && (d === "replies") === c.link.endsWith("(replies)"),
    );
  const out: (T | PathCheck)[] = [];
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
