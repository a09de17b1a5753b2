import { describe, expect, it } from "vitest";
import type { WhyAnswer } from "../../src/domain/answer.ts";
import type { WhyReport } from "../../src/domain/why.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import { askLinks, type Doc, plain } from "../../src/render/document.ts";
import { renderText } from "../../src/render/text.ts";
import { whyDocument } from "../../src/render/why-document.ts";
import { blockText, demoFleetAnswers, headings, textLines } from "../support/answers.ts";
import { buttons, suggestionButtons } from "./buttons.ts";

// whyDocument on the demo fleet's own pairs: the verdict, the fixes to copy in order, the three
// layers of checks, and the questions to ask instead when a client or target is not one thing.

const ask = demoFleetAnswers();
type Found = Extract<WhyAnswer, { kind: "found" }>;

async function found(question: string): Promise<{ answer: Found; report: WhyReport }> {
  const answer = await ask<Found>(`why ${question}`);
  const [report] = answer.kind === "found" ? answer.reports : [];
  if (!report) throw new Error(`the demo fleet answers why ${question}`);
  return { answer, report };
}

describe("whyDocument of a pair it could judge", () => {
  it("leads with the verdict and checks name, path and app under numbered headings", async () => {
    const { answer, report } = await found("tutorial/web-frontend api.service-connect:8080");

    const doc = whyDocument(answer);

    expect(textLines(doc)[0]).toBe(report.verdict);
    expect(textLines(doc)[0]).toMatch(/^✔ web-frontend can reach api\.service-connect:8080: /);
    // The notification is the first view's headline: the verdict up to its first clause.
    expect(doc.summary).toBe("✔ web-frontend can reach api.service-connect:8080");
    expect(headings(doc)).toEqual([
      undefined,
      "1. Name (can tutorial/web-frontend resolve it)",
      "2. Path (do the VPC's rules let TCP through, both ways)",
      "3. App (does something healthy answer on that port)",
      "Next check",
    ]);
    expect(textLines(doc)).toContain(
      "  ✔ route: both in vpc-0b1e2c3d4e5f60718: the local route of rtb-0c0ffee0000000001 carries it both ways",
    );
  });

  it("numbers several fixes in the order to apply them, each command as code to copy", async () => {
    const { answer } = await found("lambda:report-mailer api.internal.local");

    const doc = whyDocument(answer);
    const fixes = doc.sections[1];

    expect(fixes?.heading).toBe(
      "Fix every broken link, in this order (for you to read and run: the bot only reads)",
    );
    expect(fixes?.lines[0]).toEqual([
      "1. ",
      { bold: "resolve api.internal.local" },
      ": run the command below to open it",
    ]);
    expect(fixes?.lines[1]).toEqual([
      {
        code: "aws lambda update-function-configuration --function-name report-mailer --vpc-config SubnetIds=<subnets of vpc-0b1e2c3d4e5f60718>,SecurityGroupIds=<a group the target allows>",
      },
    ]);
    expect(plain(fixes?.lines[2] ?? [])).toMatch(/^2\. network path: /);
  });

  it("calls a single fix just Fix, unnumbered", async () => {
    const { answer, report } = await found("lambda:report-mailer api.internal.local");
    const [first] = report.fixes;
    if (!first) throw new Error("the Lambda pair has fixes");

    const doc = whyDocument({ ...answer, reports: [{ ...report, fixes: [first] }] });

    expect(doc.sections[1]?.heading).toBe("Fix (for you to read and run: the bot only reads)");
    expect(doc.sections[1]?.lines[0]?.[0]).toBe("");
  });

  it("offers Whois and Health of the target, not of the client", async () => {
    const { answer } = await found("tutorial/web-frontend api.service-connect:8080");

    expect(whyDocument(answer).links?.map((l) => [l.label, l.command])).toEqual([
      ["Whois target", "whois api.service-connect:8080"],
      ["Health target", "health api.service-connect:8080"],
    ]);
  });

  it("escapes a check's detail in Slack, keeps it as it is in the terminal, and keeps a fix closed in code", async () => {
    const { answer, report } = await found("lambda:report-mailer api.internal.local");
    const detail = "group <sg-1> & <!channel>";
    const checks = report.checks.map((c) => ({ ...c, detail }));
    const fixes = report.fixes.map((f) => ({ ...f, command: "aws ec2 `rm -rf` <x>" }));

    const doc = whyDocument({ ...answer, reports: [{ ...report, checks, fixes }] });

    expect(renderText(doc)).toContain(`: ${detail}`);
    const full = JSON.stringify(renderBlocks(doc, { view: "full" }));
    expect(blockText(doc)).toContain("group &lt;sg-1&gt; &amp; &lt;!channel&gt;");
    expect(full).toContain("group &lt;sg-1&gt; &amp; &lt;!channel&gt;");
    expect(full).toContain("`aws ec2 ˋrm -rfˋ &lt;x&gt;`");
    expect(blockText(doc)).not.toContain("<!channel>");
    expect(full).not.toContain("<!channel>");
  });
});

describe("the first view of why", () => {
  const headline = (doc: Doc) => plain(doc.glance?.headline ?? []);
  const facts = (doc: Doc) => (doc.glance?.facts ?? []).map(plain);

  it("heads a broken answer with the verdict and its broken links in fix order, the order the facts list them", async () => {
    const { answer } = await found("tutorial/legacy-report api.service-connect");

    const doc = whyDocument(answer);

    expect(headline(doc)).toBe(
      "✖ legacy-report cannot reach api.service-connect:8080: 2 broken links: path (api-service security groups in), name (resolve api.service-connect)",
    );
    expect(doc.summary).toBe(headline(doc));
    expect(facts(doc)).toEqual([
      "✖ 1. path · api-service security groups in: no rule of sg-0c0ffee00000b0001 (api-service-tasks) allows TCP 8080 from legacy-report (10.0.2.88, sg-0c0ffee00000a0004)",
      "✖ 2. name · resolve api.service-connect: legacy-report's deployment started 2026-11-21 08:00 UTC, before api first appeared in service-connect (2026-11-22 10:50 UTC)",
    ]);
    expect(plain(doc.glance?.next ?? [])).toBe(
      "Apply the 2 fixes above in the order given, then /ecs why tutorial/legacy-report api.service-connect again.",
    );
  });

  it("offers each fix's command to copy, numbered as the fixes, in the first view and in Details", async () => {
    const { answer, report } = await found("tutorial/legacy-report api.service-connect");

    const doc = whyDocument(answer);

    const copy = [
      { label: "Copy fix 1", text: report.fixes[0]?.command },
      { label: "Copy fix 2", text: report.fixes[1]?.command },
    ];
    expect(doc.glance?.copy).toEqual(copy);
    expect(copy[0]?.text).toMatch(/^aws ec2 authorize-security-group-ingress /);
    expect(copy[1]?.text).toMatch(/--force-new-deployment$/);
    expect(doc.sections[1]?.copy).toEqual(copy);
  });

  it("keeps a healthy answer short: the verdict, what it rests on, the next step", async () => {
    const { answer } = await found("tutorial/web-frontend nginx.service-connect");

    const doc = whyDocument(answer);

    expect(headline(doc)).toBe("✔ web-frontend can reach nginx.service-connect:80");
    expect(facts(doc)).toEqual([
      "The name resolves for it, the rules let TCP 80 through both ways, and 2 endpoints are healthy; its traffic shows in the metrics",
    ]);
    expect(doc.glance?.copy).toEqual([]);
    expect(doc.glance?.links?.map((l) => l.label)).toEqual(["Health target"]);
  });

  it("says a link it could not check in the first view, never only in Details", async () => {
    const { answer, report } = await found("tutorial/web-frontend nginx.service-connect");
    const checks = report.checks.map((c) =>
      c.layer === "path" && c.status === "ok"
        ? { ...c, status: "unknown" as const, detail: "could not read sg-1: denied" }
        : c,
    );

    const doc = whyDocument({
      ...answer,
      reports: [
        {
          ...report,
          status: "unknown",
          verdict: "? web-frontend may reach nginx.service-connect:80: the path could not be read",
          checks,
        },
      ],
    });

    expect(headline(doc)).toMatch(/^\? web-frontend may reach/);
    expect(facts(doc)[0]).toBe(
      "? path · web-frontend security groups out: could not read sg-1: denied",
    );
    expect(
      facts(doc)
        .slice(0, -1)
        .every((f) => f.startsWith("? path · ")),
    ).toBe(true);
    expect(facts(doc).at(-1)).toMatch(/^… and \d+ more in Details$/);
  });

  it("offers each thing an ambiguous word stands for as a button, and picks none", async () => {
    const doc = whyDocument(await ask("why web-frontend api.service-connect"));

    expect(headline(doc)).toBe("web-frontend matches 2 clients: ask about one alone");
    expect(doc.glance?.asks?.map((a) => a.command)).toEqual([
      "why staging/web-frontend api.service-connect",
      "why tutorial/web-frontend api.service-connect",
    ]);
  });

  it("offers the target's nearest names as whole why questions in the first view", async () => {
    const doc = whyDocument(await ask("why tutorial/web-frontend ngnix.service-connect"));

    expect(doc.glance?.asks?.[0]?.command).toBe("why tutorial/web-frontend nginx.service-connect");
  });
});

describe("whyDocument of a question it cannot judge as asked", () => {
  it("offers the client it could not find as whole questions to ask instead", async () => {
    const doc = whyDocument(await ask("why tutorial/web-frontnd api.service-connect"));

    expect(textLines(doc).slice(0, 5)).toEqual([
      "Client not found: tutorial/web-frontnd",
      "A client is an ECS service (cluster/name or ARN), one of its tasks (ID or IP), or lambda:NAME.",
      "",
      "Did you mean:",
      "  /ecs why tutorial/web-frontend api.service-connect",
    ]);
    expect(suggestionButtons(doc)).toEqual([
      [
        "why tutorial/web-frontend api.service-connect",
        "why tutorial/web-frontend api.service-connect",
      ],
    ]);
    // In Slack the button is the question: its words are not drawn twice.
    expect(blockText(doc)).not.toContain("`/ecs why tutorial/web-frontend api.service-connect`");
  });

  it("cuts a long question's button label to Slack's 75 characters, never its command", () => {
    const client = `tutorial/${"long-service-name-".repeat(4)}x`;
    const doc = whyDocument({
      kind: "client-not-found",
      query: "x y",
      client: "x",
      target: "api.service-connect",
      suggestions: [client],
      gaps: [],
    });

    const [button] = buttons(doc);
    expect(button?.text.text).toHaveLength(75);
    expect(button?.text.text.endsWith("…")).toBe(true);
    expect(button?.value).toBe(`why ${client} api.service-connect`);
  });

  it("never says plainly a client is not found when the search could not read everything", () => {
    const doc = whyDocument({
      kind: "client-not-found",
      query: "x y",
      client: "x",
      target: "y",
      suggestions: [],
      gaps: [{ what: "cluster staging", why: "denied" }],
    });

    expect(textLines(doc)[0]).toBe("Client not found, but the search was incomplete: x");
    expect(headings(doc)).toEqual([undefined]);
    expect(doc.notes.map(plain)).toEqual([
      "Partial answer: could not read cluster staging: denied.",
    ]);
  });

  it("lists each thing an ambiguous word stands for as the question to type", async () => {
    const doc = whyDocument(await ask("why web-frontend api.service-connect"));

    expect(textLines(doc).slice(0, 5)).toEqual([
      "web-frontend matches 2 clients: ask about one of them, exactly as written below",
      "",
      "/ecs why staging/web-frontend api.service-connect",
      "/ecs why tutorial/web-frontend api.service-connect",
      "",
    ]);
  });

  it("keeps the client in the questions it suggests for a target it could not find", async () => {
    const doc = whyDocument(await ask("why tutorial/web-frontend ngnix.service-connect"));

    expect(doc.sections.at(-1)).toEqual({
      heading: "Did you mean",
      lines: [
        [{ code: "/ecs why tutorial/web-frontend nginx.service-connect" }],
        [{ code: "/ecs why tutorial/web-frontend api.service-connect" }],
        [{ code: "/ecs why tutorial/web-frontend redis.service-connect" }],
      ],
      asks: askLinks([
        "/ecs why tutorial/web-frontend nginx.service-connect",
        "/ecs why tutorial/web-frontend api.service-connect",
        "/ecs why tutorial/web-frontend redis.service-connect",
      ]),
    });
    expect(textLines(doc)[0]).toBe("Not found: ngnix.service-connect");
    expect(suggestionButtons(doc).map(([, command]) => command)).toEqual([
      "why tutorial/web-frontend nginx.service-connect",
      "why tutorial/web-frontend api.service-connect",
      "why tutorial/web-frontend redis.service-connect",
    ]);
  });

  it("suggests the published port as a why question with the same client", async () => {
    const doc = whyDocument(await ask("why tutorial/web-frontend nginx.service-connect:81"));

    expect(textLines(doc)[1]).toBe("Try /ecs why tutorial/web-frontend nginx.service-connect:80");
    expect(suggestionButtons(doc).map(([, command]) => command)).toEqual([
      "why tutorial/web-frontend nginx.service-connect:80",
    ]);
  });

  it("refuses a question without a target and shows worked examples", async () => {
    const doc = whyDocument(await ask("why nginx"));

    expect(doc.summary).toMatch(/^Cannot answer that: give a client and a target\. /);
    expect(headings(doc)).toEqual([undefined, "Examples"]);
    expect(textLines(doc)).toContain(
      "  /ecs why lambda:<function> <service>.<dns namespace> a Lambda function",
    );
    // Examples in someone's production never name the demo fleet's services.
    expect(textLines(doc).join("\n")).not.toMatch(/report-mailer|web-frontend|legacy-report/);
  });
});
