// The first view of a whois answer (issue 22): the verdict, a broken endpoint first, who can
// resolve the name in one sentence, its owner in one line, the next step. The whole answer
// (whois-document.ts) is one Details click away and says the same at length.

import { hostOf } from "../domain/resolution/bindings.ts";
import type { Endpoint } from "../domain/resolution/endpoints.ts";
import {
  mechanismShort,
  type NameHealth,
  nextStep,
  whoResolves,
} from "../domain/resolution/glance.ts";
import { clientOnlyNote, reachWithoutName } from "../domain/resolution/publisher.ts";
import type { Resolution } from "../domain/resolution.ts";
import {
  askLinks,
  type CommandLink,
  GLANCE_HEADLINE_MAX,
  type Glance,
  type Line,
} from "./document.ts";
import { firstClauseEnd } from "./glance-text.ts";

export const ENDPOINT_MARK: Record<Endpoint["state"], string> = {
  unhealthy: "✖ UNHEALTHY",
  stale: "✖ STALE",
  unregistered: "! UNREGISTERED",
  unknown: "? UNKNOWN",
  changing: "◌ CHANGING",
  healthy: "✔ healthy",
};

/** Where a long text's first part ends, in order of preference (outside parentheses). */
const CLAUSE_ENDS = [". ", ": ", "; "];

const clauseEnd = (text: string, max: number) => firstClauseEnd(text, max, CLAUSE_ENDS);

/**
 * A text as a headline of at most `max` characters: whole when it fits, else up to its first
 * clause (the rest returned, for a fact), else cut at a word with "…" (the whole is in Details).
 */
export function fitHeadline(
  text: string,
  max: number = GLANCE_HEADLINE_MAX,
): { head: string; rest?: string } {
  if (text.length <= max) return { head: text };
  const end = clauseEnd(text, max);
  if (end > 0) {
    const rest = text.slice(end + 2).trim();
    return { head: text.slice(0, end), rest: rest.charAt(0).toUpperCase() + rest.slice(1) };
  }
  // Asides in parentheses go first, the last first: the words around them stay whole.
  let short = text;
  for (let open = short.lastIndexOf(" ("); open > 0; open = short.lastIndexOf(" (", open - 1)) {
    const close = short.indexOf(")", open);
    if (close > open) short = `${short.slice(0, open)}${short.slice(close + 1)}`;
    if (short.length <= max) return { head: short };
  }
  const cut = short.lastIndexOf(" ", max - 1);
  return { head: `${short.slice(0, cut > 0 ? cut : max - 1)}…` };
}

/** The verdict with what could not be read: in full when it fits, else "(partial)". */
function headlineWithPartial(verdict: string, partial: string): { head: string; rest?: string } {
  if (`${verdict}${partial}`.length <= GLANCE_HEADLINE_MAX) return { head: `${verdict}${partial}` };
  const short = partial ? " (partial)" : "";
  const fit = fitHeadline(verdict, GLANCE_HEADLINE_MAX - short.length);
  return { ...fit, head: `${fit.head}${short}` };
}

const address = (e: Endpoint) => (e.ip ? `${e.ip}${e.port ? `:${e.port}` : ""}` : "(no IP)");

/** The broken link of a name's endpoints, first: the worst endpoint, and how many more. */
function endpointFacts(r: Resolution): Line[] {
  if (!r.endpointsKnown)
    return [["? Endpoints unknown: neither Cloud Map nor ECS could be read (see the notes)."]];
  const facts: Line[] = [];
  const apart = r.askedTask && !r.endpoints.some((e) => e.asked) ? r.askedTask : undefined;
  if (apart) {
    facts.push([
      `${ENDPOINT_MARK[apart.state]} `,
      { code: address(apart) },
      `, the task you asked about${apart.note ? `: ${apart.note}` : ""}`,
    ]);
  }
  if (r.endpoints.length === 0) {
    facts.push(["✖ No endpoint: nothing is registered or running."]);
    return facts;
  }
  const bad = r.endpoints.filter((e) => e.state !== "healthy" && e.state !== "changing");
  const [first] = bad;
  if (first) {
    const more = bad.length > 1 ? ` (and ${bad.length - 1} more not healthy)` : "";
    facts.push([
      `${ENDPOINT_MARK[first.state]} `,
      { code: address(first) },
      first.asked ? ", the task you asked about" : "",
      `${first.note ? `: ${first.note}` : ""}${more}`,
    ]);
  }
  return facts;
}

/** Who publishes it, in one line: the service, its task definition, the container and port. */
function ownerLine(r: Resolution): Line {
  const p = r.publisher;
  const line: Line = ["Owner ", { code: `${p.cluster}/${p.service}` }];
  if (!p.ecs) return [...line, " (the ECS service could not be read)"];
  line.push(" · task definition ", { code: p.ecs.taskDefinition });
  const focus = r.bindings[0];
  if (focus?.containerName) {
    line.push(" · container ", { code: focus.containerName });
    if (focus.containerPort !== undefined) line.push(` port ${focus.containerPort}`);
  }
  line.push(` · ${p.ecs.running}/${p.ecs.desired} tasks running`);
  return line;
}

/** Who can resolve the focused name, in one sentence; without a name, how callers reach it. */
function resolverLine(r: Resolution): Line {
  const focus = r.bindings[0];
  if (focus) return [whoResolves(focus, r.bindings, r.publisher)];
  if (!r.publisher.ecs) return ["Its names are unknown: the ECS service could not be read."];
  const client = clientOnlyNote(r.publisher);
  return [`No name of its own: ${client ? `${client}; ` : ""}${reachWithoutName(r.publisher)}.`];
}

/** One name found: the verdict, the broken link first, who can resolve it, the owner, next. */
export function oneNameGlance(r: Resolution, partial: string, links: CommandLink[]): Glance {
  const { head, rest } = headlineWithPartial(r.verdict, partial);
  return {
    headline: [head],
    facts: [...endpointFacts(r), ...(rest ? [[rest]] : []), resolverLine(r), ownerLine(r)],
    next: [nextStep(r)],
    links,
  };
}

/** "2 of 3 endpoints healthy" of one name, marked as its worst state reads. */
function healthWords(h: NameHealth | undefined): { mark: string; words: string } {
  if (!h) return { mark: "?", words: "endpoints unread" };
  const noun = h.endpoints === 1 ? "endpoint" : "endpoints";
  if (h.endpoints === 0) return { mark: "✖", words: "no endpoint" };
  if (h.unknown > 0)
    return { mark: "?", words: `${h.healthy} healthy, ${h.unknown} unknown of ${h.endpoints}` };
  return {
    mark: h.healthy === h.endpoints ? "✔" : "✖",
    words: `${h.healthy} of ${h.endpoints} ${noun} healthy`,
  };
}

/** One short line for one name a word matched: mechanism, owner, endpoint health. */
function matchLine(typed: string, r: Resolution): { line: Line; mark: string } {
  const owner = `${r.publisher.cluster}/${r.publisher.service}`;
  const binding = r.bindings.find((b) => hostOf(b) === typed);
  const health = binding
    ? healthWords(r.nameHealth.find((h) => h.name === binding.name))
    : healthWords(
        r.endpointsKnown
          ? {
              name: owner,
              healthy: r.healthy,
              unknown: r.unknown,
              endpoints: r.endpoints.length,
            }
          : undefined,
      );
  const what = binding ? mechanismShort(binding) : "ECS service";
  return {
    line: [`${health.mark} `, { code: typed }, ` → ${what} of ${owner}, ${health.words}`],
    mark: health.mark,
  };
}

/**
 * A word that matched several names: each in one line, and one button per name to ask about
 * it alone. None is picked: the headline says how many it matched.
 */
export function severalNamesGlance(
  query: string,
  matches: { typed: string; resolution: Resolution }[],
  partial: string,
  verb: string,
): Glance {
  const lines = matches.map((m) => matchLine(m.typed, m.resolution));
  const services = new Set(matches.map((m) => m.resolution)).size;
  const broken = lines.filter((l) => l.mark === "✖").length;
  const unread = lines.filter((l) => l.mark === "?").length;
  const head = [
    `${query} matches ${matches.length} names`,
    services > 1 ? ` of ${services} services` : "",
    broken > 0 ? `, ${broken} with an endpoint not healthy` : "",
    unread > 0 ? `, ${unread} with endpoints unread` : "",
    ": ask about one alone",
  ].join("");
  return {
    headline: [headlineWithPartial(head, partial).head],
    facts: lines.map((l) => l.line),
    asks: askLinks(matches.map((m) => `${verb} ${m.typed}`)),
  };
}
