import { describe, expect, it } from "vitest";
import { viewSize } from "../../bench/slack-texts.ts";
import type { DigestAnswer } from "../../src/domain/answer.ts";
import type { Digest } from "../../src/domain/digest.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import {
  digestAnswerDocument,
  digestDocument,
  digestFailedDocument,
  digestResultDocument,
} from "../../src/render/digest-document.ts";
import { DETAILS_ACTION_ID, type Doc, plain } from "../../src/render/document.ts";
import { blockText, demoFleetAnswers, headings, textLines } from "../support/answers.ts";

// The digest documents on the demo fleet's own digest: the counts line, the offenders worst
// first with buttons, what changed since the last digest, the healthy rest in one line, and
// never an all-clear over what could not be read.

const ask = demoFleetAnswers();
type Found = Extract<DigestAnswer, { kind: "found" }>;

async function digestOf(text: string): Promise<{ answer: Found; digest: Digest }> {
  const answer = await ask<DigestAnswer>(text);
  if (answer.kind !== "found") throw new Error(`the demo fleet has a digest for ${text}`);
  return { answer, digest: answer.result.digest };
}

/**
 * The digest as if checkout's failing target were healthy (issue 24 made checkout, behind
 * checkout-tg, degraded): for the cases whose point is an all-clear or its absence.
 */
function targetsHealthy(d: Digest): Digest {
  const offenders = d.offenders.filter((o) => o.entry.service !== "checkout");
  const moved = d.offenders.length - offenders.length;
  const counts = {
    ...d.counts,
    degraded: d.counts.degraded - moved,
    healthy: d.counts.healthy + moved,
  };
  return { ...d, offenders, counts };
}

const AT = new Date("2026-11-23T09:00:00Z");
const EARLIER = new Date("2026-11-22T15:58:00Z");

describe("digestDocument", () => {
  it("counts every level in the headline and lists the offenders worst first, each with buttons", async () => {
    const { digest } = await digestOf("digest");

    const doc = digestDocument({ ...digest, at: AT }, false);

    expect(doc.summary).toBe("Digest (every cluster) at 09:00 UTC: 2 down, 3 degraded, 5 healthy");
    expect(doc.sections[0]?.lines).toEqual([[{ bold: doc.summary }]]);
    const marks = doc.sections.slice(1, 5).map((s) =>
      plain(s.lines[0] ?? [])
        .split(" ")
        .slice(0, 2)
        .join(" "),
    );
    expect(marks).toEqual(["✖ DOWN", "✖ DOWN", "▲ DEGRADED", "▲ DEGRADED"]);
    // checkout-tg's failing target (issue 24) makes the third degraded.
    expect(plain(doc.sections[5]?.lines[0] ?? [])).toMatch(/^▲ DEGRADED tutorial\/checkout: /);
    expect(doc.sections[3]?.links?.map((l) => [l.label, l.command])).toEqual([
      ["Health", "health api.service-connect"],
      ["Traffic", "traffic api.service-connect"],
    ]);
    expect(textLines(doc)).toContain("5 other services healthy.");
  });

  it("titles a scheduled digest with its target, an incident one as such, one asked for plainly", async () => {
    const { digest } = await digestOf("digest tutorial");
    const title = (target: string) =>
      digestDocument({ ...digest, at: AT, target }, false).summary.split(" at ")[0];

    expect(title("morning")).toBe("Digest morning (tutorial)");
    expect(title("incident: C0INCIDENT")).toBe("Incident digest (tutorial)");
    expect(title("on demand: C2147483705")).toBe("Digest (tutorial)");
  });

  it("says a first digest cannot yet say what changed", async () => {
    const { digest } = await digestOf("digest");

    expect(textLines(digestDocument({ ...digest, compared: false }, false)).at(-2)).toBe(
      "First digest of this scope: the next one will say what changed.",
    );
    expect(textLines(digestDocument({ ...digest, compared: true }, false))).not.toContain(
      "First digest of this scope: the next one will say what changed.",
    );
  });

  it("says what changed since the last digest, and since when AWS says it has been failing", async () => {
    const { digest } = await digestOf("digest");
    const [down, other] = digest.offenders;
    if (!down || !other) throw new Error("the demo fleet has offenders");
    const offenders = [
      {
        ...down,
        change: "worse" as const,
        was: "degraded" as const,
        since: EARLIER,
        sinceFromAws: true,
      },
      { ...other, change: "still" as const, since: EARLIER, sinceFromAws: false },
    ];

    const doc = digestDocument({ ...digest, compared: true, offenders }, false);

    expect(plain(doc.sections[1]?.lines[0] ?? [])).toMatch(
      / · worse: was degraded · failing since 2026-11-22 15:58 UTC$/,
    );
    expect(plain(doc.sections[2]?.lines[0] ?? [])).toMatch(
      / · still failing, first seen by the digest on 2026-11-22 15:58 UTC$/,
    );
  });

  it("writes every time a failure began with its day, the digest's own time alone excepted", async () => {
    const { digest } = await digestOf("digest");
    const changes = ["new", "worse", "better", "still"] as const;
    const offenders = digest.offenders.map((o, i) => ({
      ...o,
      change: changes[i % changes.length] ?? "still",
      was: "degraded" as const,
      since: EARLIER,
      sinceFromAws: i % 2 === 0,
    }));
    const recovered = [
      { key: "tutorial/a", was: "down" as const, since: EARLIER, sinceFromAws: true },
      { key: "tutorial/b", was: "noisy" as const, since: EARLIER, sinceFromAws: false },
    ];
    const unreadFailing = [
      { key: "staging/c", level: "down" as const, reason: "r", since: EARLIER },
    ];

    const text = textLines(
      digestDocument(
        { ...digest, at: AT, compared: true, offenders, recovered, unreadFailing },
        false,
      ),
    ).slice(1);

    const times = text.join("\n").match(/(?:\d{4}-\d\d-\d\d )?\d\d:\d\d UTC/g) ?? [];
    expect(times.length).toBeGreaterThan(6);
    for (const time of times) expect(time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(text).toContain(
      "  ✔ tutorial/b was noisy, first seen by the digest on 2026-11-22 15:58 UTC",
    );
  });

  it("gives a service with no name to measure a Health button on cluster/service and no Traffic button", async () => {
    const { digest } = await digestOf("digest");
    const billing = digest.offenders.find((o) => o.entry.service === "billing-worker");
    const api = digest.offenders.find((o) => o.entry.subject === "api.service-connect");
    if (!billing || !api) throw new Error("the demo fleet has these offenders");
    // A name in a DNS namespace only: health answers it, traffic has no Service Connect metrics.
    const dnsOnly = {
      ...api,
      entry: { ...api.entry, subject: "api.internal.local", trafficSubject: undefined },
    };

    const doc = digestDocument({ ...digest, offenders: [billing, api, dnsOnly] }, false);

    const buttons = doc.sections.slice(1, 4).map((s) => s.links?.map((l) => l.command));
    expect(buttons).toEqual([
      ["health ecs_service_discovery/billing-worker"],
      ["health api.service-connect", "traffic api.service-connect"],
      ["health api.internal.local"],
    ]);
    expect(blockText(doc)).not.toContain("traffic ecs_service_discovery/billing-worker");
  });

  it("lists the recovered, and what could not be judged apart from the counts", async () => {
    const digest = targetsHealthy((await digestOf("digest tutorial")).digest);
    const unknown = [
      {
        cluster: "tutorial",
        service: "batch",
        subject: "tutorial/batch",
        level: "unknown" as const,
        reason: "the ECS service could not be read (denied)",
      },
    ];
    const recovered = [
      { key: "tutorial/web-frontend", was: "down" as const, since: EARLIER, sinceFromAws: true },
    ];

    const doc = digestDocument(
      { ...digest, compared: true, unknown, recovered, counts: { ...digest.counts, unknown: 1 } },
      false,
    );

    expect(headings(doc)).toEqual([
      undefined,
      "Recovered since the last digest",
      "Could not be judged (counted apart, neither healthy nor down)",
      undefined,
    ]);
    expect(textLines(doc)).toEqual(
      expect.arrayContaining([
        "  ✔ tutorial/web-frontend was down since 2026-11-22 15:58 UTC",
        "  ? tutorial/batch: the ECS service could not be read (denied)",
      ]),
    );
    expect(doc.summary).toMatch(/: 5 healthy, 1 unknown$/);
  });

  it("says all is healthy in one line when quiet", async () => {
    const digest = targetsHealthy((await digestOf("digest tutorial")).digest);

    const doc = digestDocument({ ...digest, at: AT }, true);

    expect(doc.summary).toBe("All 5 services healthy in tutorial at 09:00 UTC");
    expect(doc.sections).toEqual([{ lines: [[doc.summary]] }]);
  });

  it("never gives an all-clear over a cluster it could not read, quiet or not", async () => {
    const digest = targetsHealthy((await digestOf("digest tutorial")).digest);
    const unread = [{ kind: "cluster" as const, name: "staging", cause: "denied" }];

    const quiet = digestDocument({ ...digest, at: AT, unread }, true);
    const loud = digestDocument({ ...digest, at: AT, unread }, false);

    expect(quiet.summary).toBe(
      "5 services healthy in tutorial at 09:00 UTC; cluster staging could not be read (denied)",
    );
    expect(loud.summary).toBe(
      "Digest (tutorial) at 09:00 UTC: 5 healthy; cluster staging could not be read (denied)",
    );
    expect(textLines(loud)).toContain("5 services healthy of those read.");
  });

  it("says only what could not be read when nothing could", async () => {
    const { digest } = await digestOf("digest tutorial");
    const empty = { down: 0, degraded: 0, noisy: 0, unknown: 0, healthy: 0 };
    const unread = [{ kind: "clusters" as const, cause: "throttled" }];

    const doc = digestDocument({ ...digest, at: AT, counts: empty, total: 0, unread }, false);

    expect(doc.summary).toBe(
      "Digest (tutorial) at 09:00 UTC: the clusters could not be listed (throttled)",
    );
    expect(textLines(doc)).toContain("No service could be read in this scope.");
  });

  it("escapes a service's reason in Slack", async () => {
    const { digest } = await digestOf("digest");
    const offenders = digest.offenders.map((o) => ({ ...o, reason: "<!channel> & <@U1>" }));

    const slack = blockText(digestDocument({ ...digest, offenders }, false));

    expect(slack).toContain("&lt;!channel&gt; &amp; &lt;@U1&gt;");
    expect(slack).not.toContain("<!channel>");
  });
});

describe("digestAnswerDocument", () => {
  it("adds what became of an incident schedule under the digest", async () => {
    const { answer: asked } = await digestOf("digest tutorial");
    const answer = {
      ...asked,
      result: { ...asked.result, digest: { ...asked.result.digest, at: AT } },
    };
    const until = new Date("2026-11-23T11:00:00Z");

    const started = digestAnswerDocument({
      ...answer,
      incident: { kind: "started", everyMinutes: 15, until },
    });
    const overnight = digestAnswerDocument({
      ...answer,
      incident: { kind: "started", everyMinutes: 60, until: new Date("2026-11-24T03:00:00Z") },
    });
    const failed = digestAnswerDocument({
      ...answer,
      incident: { kind: "failed", reason: "the scheduler denied it" },
    });

    expect(plain(started.sections.at(-1)?.lines[0] ?? [])).toBe(
      "Incident digest: the next one in 15 minutes, then every 15 until 11:00 UTC. Stop it with /ecs digest stop.",
    );
    expect(plain(overnight.sections.at(-1)?.lines[0] ?? [])).toMatch(
      /then every 60 until 2026-11-24 03:00 UTC\./,
    );
    expect(plain(failed.sections.at(-1)?.lines[0] ?? [])).toBe(
      "The incident digest could not be scheduled: the scheduler denied it. This digest is the only one.",
    );
  });

  it("says whether there was an incident digest to stop", () => {
    const stopped = digestAnswerDocument({ kind: "stopped", query: "stop", outcome: "stopped" });
    const none = digestAnswerDocument({ kind: "stopped", query: "stop", outcome: "not-running" });

    expect(stopped.summary).toBe(
      "Incident digest stopped: no more digests will be posted in this channel.",
    );
    expect(none.summary).toBe("No incident digest runs in this channel: nothing to stop.");
  });

  it("refuses with the reason and the usage", async () => {
    const doc = digestAnswerDocument(await ask("digest tutorial/web"));

    expect(doc.summary).toBe("Cannot make that digest: name clusters or Cloud Map namespaces.");
    expect(headings(doc)).toEqual([undefined, "Usage"]);
  });

  it("answers a mistyped scope in one line with the names spelt nearly so", async () => {
    const typo = digestAnswerDocument(await ask("digest tutorail"));
    const two = digestAnswerDocument(await ask("digest tutorail stagng"));
    const none = digestAnswerDocument(await ask("digest prod-core"));

    expect(textLines(typo)).toEqual([
      "No cluster or namespace tutorail in ap-northeast-1. Did you mean tutorial?",
      "",
    ]);
    expect(two.summary).toBe(
      "No cluster or namespace tutorail or stagng in ap-northeast-1. Did you mean tutorial (for tutorail) and staging (for stagng)?",
    );
    expect(none.summary).toMatch(
      /^No cluster or namespace prod-core in ap-northeast-1\. Its clusters: ecs_service_discovery, staging, tutorial; its namespaces: .*service-connect.*\.$/,
    );
  });
});

describe("digestResultDocument", () => {
  it("says when the last digest of an incident schedule ends, and lists what could not be listed", async () => {
    const { answer } = await digestOf("digest tutorial");
    const run = {
      digest: { ...answer.result.digest, at: AT },
      gaps: [{ what: "namespace staging", why: "denied" }],
    };

    const doc = digestResultDocument(run, false, new Date("2026-11-23T11:00:00Z"));

    expect(plain(doc.sections.at(-1)?.lines[0] ?? [])).toBe(
      "Last incident digest: its schedule ends at 11:00 UTC. Ask again with --every … --for … to go on.",
    );
    expect(doc.notes.map(plain)).toEqual([
      "Partial answer: could not read namespace staging: denied.",
    ]);
  });
});

describe("digestFailedDocument", () => {
  it("tells the channel its scheduled digest could not be made and what to do", () => {
    const doc = digestFailedDocument("morning", AT, "Slack refused the post");

    expect(textLines(doc)).toEqual([
      "The 09:00 UTC digest morning could not be made: Slack refused the post.",
      "",
      "Next: /ecs digest asks for one now; the next scheduled one will try again.",
      "",
    ]);
  });
});

describe("digestDocument's first view", () => {
  /** The demo digest with `n` failing services, each a copy of its offenders in turn. */
  async function fleetOf(n: number): Promise<Digest> {
    const { digest } = await digestOf("digest");
    const offenders = Array.from({ length: n }, (_, i) => {
      const o = digest.offenders[i % digest.offenders.length];
      if (!o) throw new Error("the demo fleet has offenders");
      return { ...o, entry: { ...o.entry, service: `service-${i + 1}` } };
    });
    const down = offenders.filter((o) => o.level === "down").length;
    const counts = { ...digest.counts, down, degraded: n - down };
    return { ...digest, offenders, counts, total: n + counts.healthy };
  }
  const asked = (doc: Doc): Doc => ({ ...doc, command: "digest" });

  it("leaves the demo fleet's digest as its own first view", async () => {
    const { digest } = await digestOf("digest");

    expect(digestDocument(digest, false).glance).toBeUndefined();
  });

  it("fits a digest of 50 failing services in 1,500 characters: the worst first, the rest one Details click away", async () => {
    const doc = asked(digestDocument(await fleetOf(50), false));
    const first = renderBlocks(doc);
    const lines = [plain(doc.glance?.headline ?? []), ...(doc.glance?.facts ?? []).map(plain)];

    expect(viewSize(first.blocks).chars).toBeLessThanOrEqual(1500);
    expect(lines[0]).toMatch(
      /^Digest \(every cluster\) at \d\d:\d\d UTC: 20 down, 30 degraded, 5 healthy$/,
    );
    expect(lines[1]).toMatch(/^✖ DOWN ecs_service_discovery\/service-1: 0 of 2 tasks running/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^… and \d+ more failing: Details lists them\.$/),
    );
    expect(lines.at(-1)).toBe("5 other services healthy.");
    expect(JSON.stringify(first)).toContain(DETAILS_ACTION_ID);
  });

  it("keeps an incident schedule's line in the first view", async () => {
    const { answer } = await digestOf("digest");
    const result = { ...answer.result, digest: await fleetOf(50) };
    const until = new Date("2026-11-23T11:00:00Z");

    const doc = digestAnswerDocument({
      ...answer,
      result,
      incident: { kind: "started", everyMinutes: 15, until },
    });

    expect(plain(doc.glance?.facts.at(-1) ?? [])).toMatch(
      /^Incident digest: the next one in 15 minutes/,
    );
  });
});
