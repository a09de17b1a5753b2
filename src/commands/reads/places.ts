// One question asked in every configured place (account and region) at once, and one answer made
// of theirs. A place that fails (a role that cannot be assumed, throttling past retries, a region
// that does not answer) becomes a gap naming it: never a failed reply, never "not found" alone.
import type { SearchScope } from "../../domain/answer.ts";
import type { Gap } from "../../domain/facts.ts";
import type { IpFinding } from "../../domain/network-interface.ts";
import { consoleOfPlace } from "../../render/console-links.ts";
import type { Doc, Line, Section } from "../../render/document.ts";
import type { AwsContext } from "./aws-context.ts";

/** The answers every command returns: found, or one of the kinds that found nothing. */
interface AnyAnswer {
  kind: string;
  gaps?: Gap[];
}

/** The list a found answer of each command holds (resolutions, reports, results). */
export type FoundList = "resolutions" | "reports" | "results";

/**
 * The adapters of each place the bot inspects: one context, or one per configured account and
 * region (BOT_TARGETS), all asked at once.
 */
export type AwsPlaces = () => AwsContext | AwsContext[];

export interface AcrossResult<A> {
  answer: A;
  doc: Doc;
  /** The places whose answer was found, in configured order. */
  foundIn: string[];
}

/**
 * A place's gaps, each named with the place. When its role could not be assumed, nothing there
 * was read: one gap says so instead of one per read.
 */
export function placeGaps(ctx: AwsContext, gaps: readonly Gap[]): Gap[] {
  const { label, roleArn } = ctx.place;
  const assume = roleArn
    ? gaps.find((g) => g.why.includes(`sts:AssumeRole on ${roleArn}`))
    : undefined;
  if (assume) return [{ what: `everything in ${label} (nothing there was read)`, why: assume.why }];
  return gaps.map((g) => ({ what: `${label}: ${g.what}`, why: g.why }));
}

function withGaps<A extends AnyAnswer>(answer: A, gaps: Gap[]): A {
  return "gaps" in answer ? { ...answer, gaps } : answer;
}

/** Not found anywhere: where each place looked (or that it could not), side by side. */
function notFoundEverywhere<A extends AnyAnswer>(
  answers: { ctx: AwsContext; answer: A }[],
  gaps: Gap[],
): A {
  const first = answers.find((a) => a.answer.kind === "client-not-found") ?? answers[0];
  if (!first) throw new Error("no place to ask");
  const merged = withGaps(first.answer, gaps) as A & {
    searched?: SearchScope;
    suggestions?: string[];
    network?: IpFinding;
  };
  if (merged.kind !== "not-found" || !merged.searched) return merged;
  const each = answers.map(({ ctx, answer }) => {
    const a = answer as typeof merged;
    const unread = placeGaps(ctx, a.gaps ?? []).some((g) => g.what.startsWith("everything in"));
    return {
      suggestions: a.suggestions ?? [],
      place: {
        label: ctx.place.label,
        namespaces: a.searched?.namespaces ?? [],
        clusters: a.searched?.clusters ?? [],
        read: !unread,
        ...(a.network ? { network: a.network } : {}),
      },
    };
  });
  const places = each.map((e) => e.place);
  return {
    ...merged,
    // Each place's own finding goes with its place, not with the whole answer.
    network: undefined,
    suggestions: [...new Set(each.flatMap((e) => e.suggestions))].slice(0, 3),
    searched: {
      regions: places.map((p) => p.label),
      namespaces: [...new Set(places.flatMap((p) => p.namespaces))],
      clusters: [...new Set(places.flatMap((p) => p.clusters))],
      places,
    },
  };
}

/**
 * Asks `ask` (a command) in every place at once. With one place, its answer as it is. With
 * several: found in one, that answer with where it was found and everything else's gaps; found in
 * several, one part per place, in configured order; found nowhere, where each place looked and
 * what it could not read.
 */
export async function acrossPlaces<A extends AnyAnswer>(
  aws: AwsPlaces,
  ask: (aws: () => AwsContext) => Promise<A>,
  render: (answer: A) => Doc,
  list: FoundList,
): Promise<AcrossResult<A>> {
  // The command checks its input before it asks for a context: refused input creates no client
  // anywhere. The first time it asks, the other places start, all at once.
  let contexts: AwsContext[] = [];
  let others: Promise<{ ctx: AwsContext; answer: A }>[] = [];
  const asked = ask(() => {
    if (contexts.length === 0) {
      contexts = [aws()].flat();
      others = contexts.slice(1).map(async (ctx) => ({ ctx, answer: await ask(() => ctx) }));
    }
    return contexts[0] as AwsContext;
  });
  // A bug in one place's answer must not leave the others' failures unhandled.
  asked.catch(() => {
    for (const other of others) other.catch(() => undefined);
  });
  const firstAnswer = await asked;
  const [firstPlace] = contexts;
  if (!firstPlace) return { answer: firstAnswer, doc: render(firstAnswer), foundIn: [] };
  const answers = [{ ctx: firstPlace, answer: firstAnswer }, ...(await Promise.all(others))];
  if (answers.length === 1) {
    const found = firstAnswer.kind === "found" ? [firstPlace.place.label] : [];
    return { answer: firstAnswer, doc: render(firstAnswer), foundIn: found };
  }

  // An ambiguous answer (`why`: a name for several things) is shown like a find: never hidden
  // behind another place's "not found".
  const shown = (a: { answer: A }) => a.answer.kind === "found" || a.answer.kind === "ambiguous";
  const found = answers.filter(shown);
  const elsewhere = answers.filter((a) => !shown(a));
  const otherGaps = elsewhere.flatMap(({ ctx, answer }) => placeGaps(ctx, answer.gaps ?? []));
  const foundIn = found.map((a) => a.ctx.place.label);
  const head = found[0];
  if (!head) {
    const answer = notFoundEverywhere(answers, otherGaps);
    return { answer, doc: render(answer), foundIn };
  }
  const own = (a: (typeof found)[number]) => placeGaps(a.ctx, a.answer.gaps ?? []);
  const merged = {
    ...head.answer,
    [list]: found.flatMap((a) => (a.answer as unknown as Record<FoundList, unknown[]>)[list] ?? []),
    gaps: [...found.flatMap(own), ...otherGaps],
  } as A;
  const looked = contexts.map((c) => c.place.label).join(", ");
  if (found.length === 1) {
    const doc = render(merged);
    const where: Section = {
      lines: [["Found in ", { bold: head.ctx.place.label }, ` (looked in ${looked}).`]],
    };
    const links = consoleOfPlace(doc.console, head.ctx.place, false);
    return {
      answer: merged,
      doc: { ...doc, sections: [where, ...doc.sections], console: links },
      foundIn,
    };
  }
  // Found in several places: each place's own answer, one after another, each under its name.
  const docs = found.map((a, i) =>
    render(withGaps(a.answer, i === 0 ? [...own(a), ...otherGaps] : own(a))),
  );
  const sections = docs.flatMap((doc, i): Section[] => [
    { heading: `In ${found[i]?.ctx.place.label}`, lines: [] },
    ...doc.sections,
  ]);
  const seen = new Set<string>();
  const notes = docs
    .flatMap((d) => d.notes)
    .filter((line: Line) => {
      const key = JSON.stringify(line);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const first = docs[0] as Doc;
  return {
    answer: merged,
    doc: {
      ...first,
      summary: `${first.summary} (${found.length} places: ${foundIn.join(", ")})`,
      sections,
      notes,
      console: docs.flatMap(
        (d, i) => consoleOfPlace(d.console, (found[i] ?? head).ctx.place, true) ?? [],
      ),
    },
    foundIn,
  };
}
