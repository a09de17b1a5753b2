import { describe, expect, it } from "vitest";
import type { WhoisAnswer } from "../../src/domain/answer.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import { type Doc, plain } from "../../src/render/document.ts";
import { renderText } from "../../src/render/text.ts";
import { endpointLine, partialClause, whoisDocument } from "../../src/render/whois-document.ts";
import { COMMAND_BUTTON } from "../../src/slack/command-buttons.ts";
import { demoFleetAnswers, headings, textLines } from "../support/answers.ts";
import { buttons } from "./buttons.ts";

// whoisDocument on answers the real command gave on the demo fleet: what the user reads first,
// the sections in order, and user or AWS text that must not become Slack markup.

const ask = demoFleetAnswers();
/** What Details shows: the whole answer in Block Kit. */
const fullBlockText = (doc: Doc) => JSON.stringify(renderBlocks(doc, { view: "full" }));
type Found = Extract<WhoisAnswer, { kind: "found" }>;
type NotFound = Extract<WhoisAnswer, { kind: "not-found" }>;

describe("whoisDocument of a name found", () => {
  it("leads with the verdict in bold and sends the same verdict as the notification text", async () => {
    const answer = await ask<Found>("whois nginx.service-connect");

    const doc = whoisDocument(answer);

    const verdict =
      "nginx.service-connect → Service Connect alias of tutorial/service-connect-nginx-service, port nginx (80/http), 2 of 2 endpoints healthy";
    expect(doc.sections[0]?.lines).toEqual([[{ bold: verdict }]]);
    expect(doc.summary).toBe(verdict);
    expect(renderBlocks(doc).text).toBe(verdict);
  });

  it("says who can resolve it, who publishes it, its endpoints and the next check, in that order", async () => {
    const doc = whoisDocument(await ask<Found>("whois nginx.service-connect"));

    expect(headings(doc)).toEqual([
      undefined,
      "Who can resolve it",
      "Published by",
      "Endpoints (2 of 2 endpoints healthy for nginx.service-connect:80)",
      "Next check",
    ]);
    const text = renderText(doc);
    expect(text).toContain(
      "nginx.service-connect:80: Service Connect alias in HTTP namespace service-connect. Resolvable only inside tasks of Service Connect-enabled services in that namespace (5 such services: api-service, legacy-report, service-connect-nginx-service, session-cache, web-frontend).",
    );
    expect(text).toContain(
      "  Task definition service-connect-nginx:1 · 2 running / 2 desired / 0 pending",
    );
    expect(text).toContain(
      "  ✔ healthy 10.0.1.23:80 ap-northeast-1a · Cloud Map HEALTHY · ECS RUNNING/HEALTHY · task 0f4e5d6c7b8a · started 2026-11-20 09:00 UTC",
    );
  });

  it("offers Health and Traffic for the name as typed, and not Whois again", async () => {
    const doc = whoisDocument(await ask<Found>("whois nginx"));

    expect(doc.links?.map((l) => [l.label, l.command])).toEqual([
      ["Health", "health nginx"],
      ["Traffic", "traffic nginx"],
    ]);
  });

  it("puts what could not be read into the first line, leaving out what AWS said is absent", async () => {
    const answer = await ask<Found>("whois nginx.service-connect");
    const gaps = [
      { what: "cluster staging", why: "AWS denied ecs:ListServices (AccessDeniedException)" },
      { what: "service tutorial/gone", why: "ServiceNotFoundException", absent: true as const },
    ];

    const doc = whoisDocument({ ...answer, gaps });

    // The first line says what; the notification, as short as the first view's headline, says so.
    expect(textLines(doc)[0]).toMatch(
      /endpoints healthy \(partial: could not read cluster staging\)$/,
    );
    expect(doc.summary).toMatch(/endpoints healthy \(partial\)$/);
    expect(doc.notes.map(plain)).toEqual([
      "Partial answer: could not read cluster staging: AWS denied ecs:ListServices (AccessDeniedException).",
      "Partial answer: could not read service tutorial/gone: ServiceNotFoundException.",
    ]);
  });

  it("lists every name a word matches, each exactly as it must be typed, and one verdict per service", async () => {
    const doc = whoisDocument(await ask<Found>("whois api"));

    expect(plain(doc.sections[0]?.lines[0] ?? [])).toBe(
      "api matches 3 names. To ask about one alone, type it exactly: api.internal.local, api.service-connect, api.staging",
    );
    // Two services: one verdict each, the service publishing two of the names once.
    const verdicts = doc.sections.slice(1).filter((s) => s.heading === undefined);
    expect(verdicts.map((s) => plain(s.lines[0] ?? []).split(" ")[0])).toEqual([
      "api.internal.local",
      "api.staging",
    ]);
  });

  it("shows text AWS returned verbatim in the terminal and escaped in Slack", async () => {
    const answer = await ask<Found>("whois nginx.service-connect");
    const [first] = answer.resolutions;
    if (!first?.publisher.ecs) throw new Error("the demo fleet's nginx has an ECS service");
    const hostile = "<!channel> rollback & <@U0ADMIN>";
    const ecs = { ...first.publisher.ecs, rolloutStateReason: hostile };
    const doc = whoisDocument({
      ...answer,
      resolutions: [{ ...first, publisher: { ...first.publisher, ecs } }],
    });

    expect(renderText(doc)).toContain(`: ${hostile}`);
    expect(fullBlockText(doc)).toContain("&lt;!channel&gt; rollback &amp; &lt;@U0ADMIN&gt;");
    expect(fullBlockText(doc)).not.toContain("<!channel>");
  });
});

describe("whoisDocument of a name not found", () => {
  it("says not found, offers the nearest names and says where it looked", async () => {
    const doc = whoisDocument(await ask<NotFound>("whois ngnix.service-connect"));

    expect(textLines(doc).slice(0, 3)).toEqual([
      "Not found: ngnix.service-connect",
      "Did you mean nginx.service-connect, api.service-connect, redis.service-connect?",
      "Looked in region ap-northeast-1: namespaces internal.local, service-connect, staging; clusters ecs_service_discovery, staging, tutorial; Route 53 alias records to load balancers.",
    ]);
    expect(doc.summary).toBe(
      "Not found: ngnix.service-connect (did you mean nginx.service-connect?)",
    );
    expect(doc.links).toBeUndefined();
  });

  it("offers each name it suggests as a button that asks whois about it", async () => {
    const doc = whoisDocument(await ask<NotFound>("whois ngnix.service-connect"));

    const asks = buttons(doc).filter((b) => b.action_id?.startsWith("ecs_suggestion"));
    expect(asks.map((b) => [b.text.text, b.value])).toEqual([
      ["whois nginx.service-connect", "whois nginx.service-connect"],
      ["whois api.service-connect", "whois api.service-connect"],
      ["whois redis.service-connect", "whois redis.service-connect"],
    ]);
    expect(new Set(asks.map((b) => b.action_id)).size).toBe(3);
    expect(asks.every((b) => COMMAND_BUTTON.test(b.action_id ?? ""))).toBe(true);
    expect(fullBlockText(doc)).toContain("Did you mean `nginx.service-connect`");
  });

  it("offers the port a name publishes as a button with the same command", async () => {
    const doc = whoisDocument(await ask<NotFound>("whois nginx.service-connect:81"));

    expect(buttons(doc).map((b) => b.value)).toContain("whois nginx.service-connect:80");
    expect(renderText(doc)).toContain("Try /ecs whois nginx.service-connect:80");
  });

  it("never says plainly not found when the search could not read everything", async () => {
    const answer = await ask<NotFound>("whois ngnix.service-connect");

    const doc = whoisDocument({
      ...answer,
      gaps: [{ what: "namespace staging", why: "throttled" }],
    });

    expect(textLines(doc)[0]).toBe(
      "Not found, but the search was incomplete: ngnix.service-connect",
    );
  });

  it("names the ports a name is published on, as the command to type for the asking verb", async () => {
    const answer = await ask<NotFound>("whois nginx.service-connect:81");

    expect(whoisDocument(answer).summary).toBe(
      "Nothing publishes port 81 on nginx.service-connect: it publishes port 80 (/ecs whois nginx.service-connect:80)",
    );
    expect(textLines(whoisDocument(answer, "health"))[1]).toBe(
      "Try /ecs health nginx.service-connect:80",
    );
  });

  it("says an address no network interface holds is none of the account's there", async () => {
    const doc = whoisDocument(await ask<NotFound>("whois 10.0.9.9"));

    expect(textLines(doc)[1]).toBe(
      "No network interface in ap-northeast-1 holds 10.0.9.9: it is no address of this account's VPCs there now (another account's or region's, or released).",
    );
  });

  it("escapes a query that tries to notify the channel", () => {
    const doc = whoisDocument({
      kind: "not-found",
      query: "<!here>&co",
      suggestions: ["<@U0ADMIN>"],
      searched: { regions: ["ap-northeast-1"], namespaces: [], clusters: [] },
      gaps: [],
    });

    const slack = fullBlockText(doc);
    expect(slack).toContain("`&lt;!here&gt;&amp;co`");
    expect(slack).toContain("`&lt;@U0ADMIN&gt;`");
    expect(slack).not.toMatch(/<!here>|<@U0ADMIN>/);
  });
});

describe("the first view of whois", () => {
  const facts = (doc: Doc) => (doc.glance?.facts ?? []).map(plain);
  const headline = (doc: Doc) => plain(doc.glance?.headline ?? []);

  it("shows a healthy name's verdict, who can resolve it in one sentence and its owner in one line", async () => {
    const doc = whoisDocument(await ask<Found>("whois nginx.service-connect"));

    expect(headline(doc)).toBe(
      "nginx.service-connect → Service Connect alias of tutorial/service-connect-nginx-service, port nginx (80/http), 2 of 2 endpoints healthy",
    );
    expect(doc.summary).toBe(headline(doc));
    expect(facts(doc)).toEqual([
      "Resolvable only inside Service Connect tasks of namespace service-connect deployed after 2026-11-20 09:00 UTC (5 services); not by a Lambda, an EC2 host or other tasks: they use Cloud Map DiscoverInstances or a load balancer.",
      "Owner tutorial/service-connect-nginx-service · task definition service-connect-nginx:1 · container webserver port 80 · 2/2 tasks running",
    ]);
    expect(plain(doc.glance?.next ?? [])).toMatch(/^A client that still fails: \/ecs why/);
    expect(doc.glance?.links?.map((l) => l.label)).toEqual(["Health", "Traffic"]);
  });

  it("puts an unhealthy endpoint first, before who can resolve the name", async () => {
    const doc = whoisDocument(await ask<Found>("whois api.internal.local"));

    expect(facts(doc)[0]).toBe("✖ UNHEALTHY 10.0.3.103:8080: container health check failing: api");
    expect(facts(doc)[1]).toMatch(/^Resolvable through VPC DNS by anything in VPCs /);
    expect(plain(doc.glance?.next ?? [])).toBe(
      "/ecs health api.internal.local: why 1 endpoint is not healthy, and recent stops.",
    );
  });

  it("says the task asked about by IP is the unhealthy endpoint", async () => {
    const doc = whoisDocument(await ask<Found>("whois 10.0.3.103"));

    expect(headline(doc)).toMatch(
      /^10\.0\.3\.103 → task 5e6f7a8b9c0d\w+ of ecs_service_discovery\/api-service \(RUNNING, UNHEALTHY\)/,
    );
    expect(facts(doc)[0]).toBe(
      "✖ UNHEALTHY 10.0.3.103:8080, the task you asked about: container health check failing: api",
    );
  });

  it("lists each name a word matches in one line with a button to ask about it alone, and picks none", async () => {
    const doc = whoisDocument(await ask<Found>("whois api"));

    expect(headline(doc)).toBe(
      "api matches 3 names of 2 services, 2 with an endpoint not healthy: ask about one alone",
    );
    expect(facts(doc)).toEqual([
      "✖ api.internal.local → VPC DNS name of ecs_service_discovery/api-service, 2 of 3 endpoints healthy",
      "✖ api.service-connect → Service Connect alias of ecs_service_discovery/api-service, 2 of 3 endpoints healthy",
      "✔ api.staging → Service Connect alias of staging/api-service, 2 of 2 endpoints healthy",
    ]);
    expect(doc.glance?.asks?.map((a) => a.command)).toEqual([
      "whois api.internal.local",
      "whois api.service-connect",
      "whois api.staging",
    ]);
    expect(doc.glance?.links ?? []).toEqual([]);
  });

  it("cuts a verdict too long for a headline at its clause and keeps the rest as a fact", async () => {
    const answer = await ask<Found>("whois nginx.service-connect");
    const [first] = answer.resolutions;
    if (!first) throw new Error("nginx is found");
    const verdict = `${first.verdict}. nginx is only the Cloud Map discovery name: clients cannot resolve it, they use nginx.service-connect:80`;

    const doc = whoisDocument({ ...answer, resolutions: [{ ...first, verdict }] });

    expect(headline(doc)).toBe(first.verdict);
    expect(facts(doc)).toContain(
      "Nginx is only the Cloud Map discovery name: clients cannot resolve it, they use nginx.service-connect:80",
    );
  });

  it("leaves a long verdict's aside out of the headline, never a word cut, and says it in a fact", async () => {
    const doc = whoisDocument(await ask<Found>("whois tutorial/legacy-report"));

    expect(headline(doc)).toBe(
      "tutorial/legacy-report → ECS service tutorial/legacy-report, a Service Connect client of namespace service-connect, 1 of 1 tasks running",
    );
    expect(facts(doc)[0]).toBe(
      "No name of its own: a Service Connect client of namespace service-connect (it resolves that namespace's aliases and publishes none); callers reach it only by task IP or a load balancer.",
    );
  });

  it("says an answer is partial in its headline, the notes saying what could not be read", async () => {
    const answer = await ask<Found>("whois api.staging");
    const gaps = [{ what: "cluster tutorial", why: "throttled" }];

    const doc = whoisDocument({ ...answer, gaps });

    expect(headline(doc)).toMatch(/healthy \(partial: could not read cluster tutorial\)$/);
    expect(headline(doc).length).toBeLessThanOrEqual(150);
  });

  it("offers the nearest names of a name not found as buttons", async () => {
    const doc = whoisDocument(await ask<NotFound>("whois ngnix.service-connect"));

    expect(headline(doc)).toBe(
      "Not found: ngnix.service-connect (did you mean nginx.service-connect?)",
    );
    expect(doc.glance?.asks?.map((a) => a.command)).toEqual([
      "whois nginx.service-connect",
      "whois api.service-connect",
      "whois redis.service-connect",
    ]);
    expect(facts(doc)).toEqual([
      "Looked in region ap-northeast-1: namespaces internal.local, service-connect, staging; clusters ecs_service_discovery, staging, tutorial; Route 53 alias records to load balancers.",
    ]);
  });

  it("says in the first view and the notification that a search was incomplete", async () => {
    const answer = await ask<NotFound>("whois ngnix.service-connect");

    const doc = whoisDocument({
      ...answer,
      gaps: [{ what: "namespace staging", why: "throttled" }],
    });

    expect(headline(doc)).toMatch(
      /^Not found, but the search was incomplete: ngnix\.service-connect/,
    );
    expect(doc.summary).toBe(headline(doc));
  });
});

describe("whoisDocument of input it refuses", () => {
  it("quotes at most 80 characters of what was typed, then the usage", () => {
    const typed = "x".repeat(100);

    const doc = whoisDocument({ kind: "invalid", query: typed, reason: "too long" });

    expect(textLines(doc)[0]).toBe(`Cannot look up ${"x".repeat(80)}…: too long.`);
    expect(doc.summary).toBe("Cannot look that up: too long.");
    expect(headings(doc)).toEqual([undefined, "Usage"]);
  });

  it("says what is wrong without quoting when nothing was typed", () => {
    const doc = whoisDocument({ kind: "invalid", query: "", reason: "give a name" });

    expect(doc.sections[0]?.lines[0]).toEqual([{ bold: "Cannot look that up: give a name." }]);
  });
});

describe("endpointLine", () => {
  it("marks the task asked about and says a Cloud Map UNKNOWN is a name without health check", () => {
    const line = endpointLine({
      ip: "10.0.1.5",
      port: 8080,
      availabilityZone: "ap-northeast-1a",
      cloudMapHealth: "UNKNOWN",
      lastStatus: "RUNNING",
      taskId: "0123456789abcdef0123",
      startedAt: new Date("2026-11-20T09:00:00Z"),
      state: "healthy",
      asked: true,
    });

    expect(plain(line)).toBe(
      "✔ healthy 10.0.1.5:8080 ap-northeast-1a · Cloud Map registered (no health check) · ECS RUNNING · task 0123456789ab · started 2026-11-20 09:00 UTC · ◀ the task you asked about",
    );
  });

  it("says what it does not know rather than leave a blank", () => {
    expect(plain(endpointLine({ state: "unknown" }))).toBe(
      "? UNKNOWN (no IP) ? · Cloud Map - · ECS unread · task ? · started ?",
    );
    expect(plain(endpointLine({ state: "stale", note: "task stopped" }))).toBe(
      "✖ STALE (no IP) ? · Cloud Map - · ECS not in ECS · task ? · started ? · task stopped",
    );
  });
});

describe("partialClause", () => {
  it("names two unread parts and counts the rest", () => {
    expect(partialClause([])).toBe("");
    expect(partialClause(["a", "b"])).toBe(" (partial: could not read a, b)");
    expect(partialClause(["a", "b", "c", "d"])).toBe(" (partial: could not read a, b and 2 more)");
  });
});
