// A why's headline from its checks, the same whether the path is direct or through a balancer:
// the first broken link leads and the others are counted; else the first unknown one.
import type { WhyCheck, WhyFix } from "./check.ts";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "✖ web-frontend cannot reach …": `lead` says the first broken link (broken is not empty). */
export function brokenVerdict(who: string, target: string, broken: WhyCheck[], lead: string) {
  const [first, ...rest] = broken;
  return rest.length === 0
    ? `✖ ${who} cannot reach ${target}: ${lead}`
    : `✖ ${who} cannot reach ${target}: ${broken.length} broken links. First, ${first?.link}: ${lead}. Also broken: ${rest.map((c) => c.link).join(", ")}.`;
}

/** Nothing broken but some links unknown (not empty): never open, the first one says why. */
export function unknownOutcome(who: string, target: string, unknown: WhyCheck[]) {
  const [u, ...others] = unknown;
  const link = u?.link ?? "";
  return {
    status: "unknown" as const,
    verdict:
      others.length === 0
        ? `? ${who} → ${target}: nothing found broken, but ${link} is unknown: ${u?.detail}`
        : `? ${who} → ${target}: nothing found broken, but ${plural(unknown.length, "link is", "links are")} unknown. First, ${link}: ${u?.detail}. Also unknown: ${others.map((c) => c.link).join(", ")}.`,
    fixes: [] as WhyFix[],
    next: `Unknown is not open: retry in a minute if AWS throttled; give the bot's role the read if it was denied. Until then check ${link} in the console.`,
  };
}
