import { describe, expect, it } from "vitest";
import type { HealthAnswer } from "../../src/domain/answer.ts";
import type { HealthReport } from "../../src/domain/health.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import { type Doc, GLANCE_HEADLINE_MAX, plain } from "../../src/render/document.ts";
import { healthDocument } from "../../src/render/health-document.ts";
import { renderText } from "../../src/render/text.ts";
import { demoFleetAnswers, headings, textLines } from "../support/answers.ts";
import { suggestionButtons } from "./buttons.ts";

// healthDocument on the demo fleet's own verdicts: the badge line first, then what else was
// found, the ECS state, the endpoints, events, clients and traffic, and the next check.

const ask = demoFleetAnswers();
type Found = Extract<HealthAnswer, { kind: "found" }>;

async function report(name: string): Promise<{ answer: Found; report: HealthReport }> {
  const answer = await ask<Found>(`health ${name}`);
  const [first] = answer.reports;
  if (answer.kind !== "found" || !first) throw new Error(`the demo fleet has ${name}`);
  return { answer, report: first };
}

/** The answer with its one report changed. */
const withReport = (answer: Found, patch: Partial<HealthReport>): Found => ({
  ...answer,
  reports: answer.reports.map((r) => ({ ...r, ...patch })),
});

/** The lines of the section under `heading`, as text. */
function section(answer: Found, heading: string): string[] {
  const found = healthDocument(answer).sections.find((s) => s.heading === heading);
  return (found?.lines ?? []).map(plain);
}

describe("healthDocument", () => {
  it("leads with the badge, the subject and the deciding reason, then lists the other findings", async () => {
    const { answer } = await report("api.internal.local");

    const doc = healthDocument(answer);

    expect(textLines(doc)[0]).toBe(
      "▲ DEGRADED api.internal.local: 1 of 3 endpoints unhealthy: 10.0.3.103 (container health check failing: api)",
    );
    expect(doc.summary).toBe(textLines(doc)[0]);
    expect(section(answer, "Also")).toEqual([
      expect.stringMatching(/^▲ app: callers see \d+\.\d% 5xx in the last 15m \(p99 \d+ ms\)$/),
    ]);
  });

  it("orders the sections from the verdict to the next check", async () => {
    const { answer } = await report("api.internal.local");

    expect(headings(healthDocument(answer))).toEqual([
      undefined,
      "Also",
      "ECS",
      "Endpoints of api.internal.local (Cloud Map and ECS)",
      "Latest service events",
      "Service Connect traffic, last 15m",
      "Next check",
    ]);
  });

  it("shows the ECS service's counts and its deployment with the circuit breaker", async () => {
    const { answer } = await report("api.internal.local");

    expect(section(answer, "ECS")).toEqual([
      "Service ecs_service_discovery/api-service · 3 running / 3 desired / 0 pending · task definition api:8",
      "Deployment COMPLETED since 2026-11-23 09:30 UTC · circuit breaker on (rollback): ECS deployment ecs-svc/3318052217748190562 completed.",
    ]);
  });

  it("says a service is down with its failed tasks and its recently stopped tasks", async () => {
    const { answer } = await report("billing-worker");
    const doc = healthDocument(answer);

    expect(textLines(doc)[0]).toMatch(/^✖ DOWN ecs_service_discovery\/billing-worker: 0 of 2/);
    expect(section(answer, "ECS")[1]).toMatch(/ · 3 failed tasks · /);
    expect(headings(doc)).toContain("Recently stopped tasks");
    expect(headings(doc)).toContain("Tasks (the service publishes no name)");
  });

  it("counts repeated events once and names what each was about", async () => {
    const { answer, report: r } = await report("nginx.service-connect");
    const at = new Date("2026-11-23T15:02:00Z");
    const events = [
      { at, message: "(service x) was unable to place a task.", count: 3, about: ["a", "b"] },
      { at, message: "(service x) has reached a steady state.", count: 2, about: [] },
      { at, message: "(service x) has started 1 tasks.", count: 1, about: [] },
    ];

    expect(section(withReport(answer, { ...r, events }), "Latest service events")).toEqual([
      "2026-11-23 15:02 UTC (service x) was unable to place a task. (×3: a, b)",
      "2026-11-23 15:02 UTC (service x) has reached a steady state. (×2)",
      "2026-11-23 15:02 UTC (service x) has started 1 tasks.",
    ]);
  });

  it("names each Service Connect client deployed before the alias appeared, as one to redeploy", async () => {
    const { answer } = await report("nginx.service-connect");
    const staleClients = [
      { cluster: "tutorial", service: "legacy-report", deployedAt: new Date("2026-11-19T08:00Z") },
    ];

    expect(section(answer, "Service Connect clients")).toEqual([
      "Every Service Connect service in the namespace deployed after nginx.service-connect:80 first appeared (2026-11-20 09:00 UTC): all can resolve it.",
    ]);
    expect(section(withReport(answer, { staleClients }), "Service Connect clients")).toEqual([
      "tutorial/legacy-report deployed 2026-11-19 08:00 UTC, before nginx.service-connect:80 first appeared (2026-11-20 09:00 UTC): it cannot resolve it until redeployed",
    ]);
  });

  it("never calls a bounded check of a big namespace complete", async () => {
    const { answer } = await report("nginx.service-connect");
    const clientsChecked = { checked: 20, unchecked: 80, more: true };

    expect(section(withReport(answer, { clientsChecked }), "Service Connect clients")).toEqual([
      "Every client checked deployed after nginx.service-connect:80 first appeared (2026-11-20 09:00 UTC).",
      "Checked 20 of the namespace's clients; 80 more on its first page of services and every service past that page not checked: one answer reads a bounded part of a big namespace. A client not checked may still predate the name.",
    ]);
  });

  it("says what could not be read in the headline itself", async () => {
    const { answer } = await report("nginx.service-connect");

    const doc = healthDocument(
      withReport(answer, { unknown: ["traffic", "stopped tasks", "events"] }),
    );

    // The first view's headline (the notification's words) gives way in its reason, never in
    // what could not be read; the full answer's first line is the whole headline.
    const partial = / \(partial: could not read traffic, stopped tasks and 1 more\)$/;
    expect(doc.summary).toMatch(
      /^✔ HEALTHY nginx\.service-connect: 2 of 2 endpoints healthy, 2 of 2 tasks running…/,
    );
    expect(doc.summary).toMatch(partial);
    expect(doc.summary).toBe(plain(doc.glance?.headline ?? []));
    expect(plain(doc.sections[0]?.lines[0] ?? [])).toMatch(partial);
  });

  it("joins several services' headlines and names each as it must be typed", async () => {
    const answer = await ask<Found>("health api");

    const doc = healthDocument(answer);

    expect(doc.summary.split(" | ")).toHaveLength(answer.reports.length);
    expect(plain(doc.sections[0]?.lines[0] ?? [])).toMatch(
      /^api matches \d names\. To ask about one alone, type it exactly: api\.internal\.local, /,
    );
  });

  it("offers Whois and Traffic for the name as typed", async () => {
    const { answer } = await report("nginx.service-connect");

    expect(healthDocument(answer).links?.map((l) => l.command)).toEqual([
      "whois nginx.service-connect",
      "traffic nginx.service-connect",
    ]);
  });

  it("escapes an ECS event message in Slack and keeps it as it is in the terminal", async () => {
    const { answer, report: r } = await report("nginx.service-connect");
    const message = "<!channel> task <b> & co";
    const events = [{ at: new Date("2026-11-23T15:02:00Z"), message, count: 1, about: [] }];
    const hostile = withReport(answer, { ...r, events });

    expect(renderText(healthDocument(hostile))).toContain(`UTC ${message}`);
    // Events are in the full answer (Details).
    const slack = JSON.stringify(renderBlocks(healthDocument(hostile), { view: "full" }));
    expect(slack).toContain("&lt;!channel&gt; task &lt;b&gt; &amp; co");
    expect(slack).not.toContain("<!channel>");
  });

  it("answers a name it cannot find as whois does, suggesting health commands", async () => {
    const doc = healthDocument(await ask<HealthAnswer>("health nginx.service-connect:81"));

    expect(textLines(doc)[1]).toBe("Try /ecs health nginx.service-connect:80");
    expect(suggestionButtons(doc)).toEqual([
      ["health nginx.service-connect:80", "health nginx.service-connect:80"],
    ]);
  });

  it("offers each name it suggests as a button that asks health about it", async () => {
    const doc = healthDocument(await ask<HealthAnswer>("health ngnix.service-connect"));

    expect(suggestionButtons(doc)[0]).toEqual([
      "health nginx.service-connect",
      "health nginx.service-connect",
    ]);
    expect(textLines(doc)[1]).toMatch(/^Did you mean nginx\.service-connect, /);
  });
});

/** The first view's lines as a Slack user reads them: headline, facts, next step. */
function glanceLines(doc: Doc): string[] {
  const g = doc.glance;
  if (!g) throw new Error("health answers have a first view");
  return [plain(g.headline), ...g.facts.map(plain), ...(g.next ? [plain(g.next)] : [])];
}

describe("healthDocument's first view", () => {
  it("leads with the verdict and the unhealthy endpoint, in at most 150 characters", async () => {
    const { answer } = await report("api.service-connect");

    const [headline, ...facts] = glanceLines(healthDocument(answer));

    expect(headline).toBe(
      "▲ DEGRADED api.service-connect: 1 of 3 endpoints unhealthy: 10.0.3.103 (container health check failing: api)",
    );
    expect(facts[0]).toMatch(
      /^✖ 10\.0\.3\.103:8080 ap-northeast-1d · task 5e6f7a8b9c0d · Cloud Map UNHEALTHY · ECS RUNNING\/UNHEALTHY$/,
    );
  });

  it("names the other findings one line each, at most two, then how many more", async () => {
    const { answer, report: r } = await report("api.service-connect");
    const extra = { level: "note" as const, layer: "path" as const, text: "x", next: "y" };

    const also = (doc: Doc) => glanceLines(doc).filter((l) => /^Also:|more findings/.test(l));

    expect(also(healthDocument(answer))).toEqual([
      expect.stringMatching(
        /^Also: ▲ app: callers see \d+\.\d% 5xx in the last 15m \(p99 \d+ ms\)$/,
      ),
      "Also: ℹ name: service-connect-nginx-service, legacy-report deployed before api.service-connect:8080 appeared: if they call it, they cannot resolve it until redeployed",
    ]);
    const more = withReport(answer, { findings: [...r.findings, extra, extra] });
    expect(also(healthDocument(more)).at(-1)).toBe("… and 2 more findings (Details)");
  });

  it("chooses the other findings by the deciding one, not by its words", async () => {
    const { answer, report: r } = await report("api.service-connect");

    // A reason that is no finding's (a dialled task's own): every finding is another.
    const own = withReport(answer, { reason: "the task is unhealthy", deciding: undefined });

    expect(glanceLines(healthDocument(own)).filter((l) => l.startsWith("Also:"))).toHaveLength(2);
    expect(r.findings[r.deciding ?? -1]?.unhealthyEndpoints).toBe(true);
  });

  it("says the service's tasks, task definition and deployment in one line", async () => {
    const { answer } = await report("api.service-connect");

    expect(glanceLines(healthDocument(answer))).toContain(
      "Service ecs_service_discovery/api-service: 3 of 3 running · task definition api:8 · deployment COMPLETED",
    );
  });

  it("keeps a healthy answer short: the verdict, the service, its traffic and where to look next", async () => {
    const { answer } = await report("nginx.service-connect");

    const lines = glanceLines(healthDocument(answer));

    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^Last 15m: [\d,]+ requests · 5xx 0\.00% · p99 \d+ ms$/);
    expect(lines.join("\n").length).toBeLessThan(450);
  });

  it("says where to look next for a healthy service that publishes no name", async () => {
    const { answer } = await report("tutorial/legacy-report");

    expect(plain(healthDocument(answer).glance?.next ?? [])).toBe(
      "If it cannot reach a name, or a caller cannot reach it, Details says what to check.",
    );
  });

  it("cuts a long reason at a clause and keeps the rest in the first view", async () => {
    const { answer } = await report("invoice-renderer");

    const [headline, rest] = glanceLines(healthDocument(answer));

    expect(headline?.length).toBeLessThanOrEqual(GLANCE_HEADLINE_MAX);
    expect(headline).toMatch(
      /^✖ DOWN ecs_service_discovery\/invoice-renderer: 0 of 1 tasks running; .*…$/,
    );
    expect(rest).toContain("invoice-renderer:2.4.1: not found");
  });

  it("offers Traffic first where Service Connect measures the service, then Whois", async () => {
    const labels = async (name: string) =>
      healthDocument((await report(name)).answer).glance?.links?.map((l) => l.label);

    expect(await labels("api.service-connect")).toEqual(["Traffic", "Whois"]);
    expect(await labels("billing-worker")).toEqual(["Whois"]);
  });

  it("lists every service an ambiguous name matched, worst first, each a button", async () => {
    const doc = healthDocument(await ask<Found>("health api"));

    expect(doc.glance?.headline).toEqual(["api matches 2 services: 2 degraded"]);
    expect(doc.glance?.asks?.map((a) => a.command)).toEqual([
      "health api.internal.local",
      "health api.staging",
    ]);
  });
});
