import type { KnownBlock } from "@slack/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import { GLANCE_HEADLINE_MAX, GLANCE_MAX, plain } from "../../src/render/document.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";
import { mrkdwnProblems, mrkdwnTexts } from "../support/mrkdwn.ts";

// The demo's whois and why questions as a Slack user first sees them (issue 22): a headline
// read at a glance, a first view that fits a phone screen, the deciding fact in it, the rest
// one Details click away.

/** Every text a Slack user reads, counted as bench/messages.ts counts it. */
function readTexts(blocks: KnownBlock[]): string[] {
  const texts: string[] = [];
  for (const block of blocks) {
    if (block.type === "section" && block.text) texts.push(block.text.text);
    if (block.type === "context")
      for (const e of block.elements) if ("text" in e) texts.push(e.text);
    if (block.type === "actions")
      for (const e of block.elements) if (e.type === "button") texts.push(e.text.text);
  }
  return texts;
}

const buttonLabels = (blocks: KnownBlock[]) =>
  blocks.flatMap((b) =>
    b.type === "actions"
      ? b.elements.flatMap((e) => (e.type === "button" ? [e.text.text] : []))
      : [],
  );

/** Each question, and a fact its first view must show (the one that decides the answer). */
const QUESTIONS: { question: string; deciding: RegExp }[] = [
  {
    question: "whois nginx.service-connect",
    deciding: /Resolvable only inside Service Connect tasks of namespace `?service-connect/,
  },
  {
    question: "whois api",
    deciding: /✖ `api\.internal\.local` → VPC DNS name.*2 of 3 endpoints healthy/,
  },
  {
    question: "whois api.internal.local",
    deciding: /✖ UNHEALTHY `10\.0\.3\.103:8080`: container health check failing: api/,
  },
  {
    question: "whois 10.0.3.103",
    deciding: /✖ UNHEALTHY `10\.0\.3\.103:8080`, the task you asked about/,
  },
  { question: "whois ngnix.service-connect", deciding: /did you mean nginx\.service-connect/ },
  {
    question: "whois internal-shop-alb-1908642753.ap-northeast-1.elb.amazonaws.com",
    deciding:
      /✖ `10\.0\.3\.62:8080` Target\.ResponseCodeMismatch: Health checks failed with these codes: \[503\]/,
  },
  {
    question: "whois checkout-tg",
    deciding: /shop-alb \(internal ALB\) → checkout-tg → tutorial\/checkout/,
  },
  {
    question: "why tutorial/legacy-report api.service-connect",
    deciding: /1\. path · \*api-service security groups in\*: no rule of `?sg-0c0ffee00000b0001/,
  },
  {
    question: "why tutorial/web-frontend nginx.service-connect",
    deciding: /web-frontend can reach nginx\.service-connect:80/,
  },
];

describe("The first view of the demo's whois and why answers", () => {
  let aws: Awaited<ReturnType<typeof useEmulatedAws>> | undefined;
  beforeAll(async () => {
    aws = await useEmulatedAws();
  });
  afterAll(async () => {
    await aws?.stop();
  });

  const firstView = async (question: string) => {
    const { doc } = await runEcsCommand(question, () => awsContext("ap-northeast-1"));
    return { doc, message: renderBlocks(doc) };
  };

  it.each(QUESTIONS)("fits a glance for $question", async ({ question, deciding }) => {
    const { doc, message } = await firstView(question);
    const texts = readTexts(message.blocks);

    expect(plain(doc.glance?.headline ?? []).length).toBeLessThanOrEqual(GLANCE_HEADLINE_MAX);
    expect(texts.reduce((n, t) => n + t.length, 0)).toBeLessThanOrEqual(GLANCE_MAX);
    expect(buttonLabels(message.blocks)).toContain("Details");
    expect(mrkdwnTexts(message).flatMap(mrkdwnProblems)).toEqual([]);
    expect(texts.join("\n")).toMatch(deciding);
  });

  it("offers the broken why's fixes to copy, in the order to apply them", async () => {
    const { message } = await firstView("why tutorial/legacy-report api.service-connect");

    expect(buttonLabels(message.blocks)).toEqual(
      expect.arrayContaining(["Copy fix 1", "Copy fix 2", "Details"]),
    );
  });

  it("offers one button per name a word matches, and picks none", async () => {
    const { doc, message } = await firstView("whois api");

    expect(plain(doc.glance?.headline ?? [])).toMatch(/^api matches 3 names/);
    expect(buttonLabels(message.blocks)).toEqual(
      expect.arrayContaining([
        "whois api.internal.local",
        "whois api.service-connect",
        "whois api.staging",
      ]),
    );
  });
});
