import type { KnownBlock } from "@slack/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slackTexts, viewSize } from "../../bench/slack-texts.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import {
  DETAILS_ACTION_ID,
  type Doc,
  GLANCE_HEADLINE_MAX,
  plain,
} from "../../src/render/document.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";
import { mrkdwnProblems, mrkdwnTexts } from "../support/mrkdwn.ts";

// Issue 22's first views of the demo's health, traffic and digest answers, counted as
// `npm run bench:messages` counts them (section texts, context texts, button labels): a headline
// a glance takes in, the deciding fact, a Details button wherever something was left out.

const QUESTIONS: { text: string; max: number; deciding: RegExp }[] = [
  // The unhealthy endpoint.
  { text: "health api.service-connect", max: 900, deciding: /10\.0\.3\.103.*container health/ },
  { text: "health nginx.service-connect", max: 900, deciding: /^\*✔ HEALTHY nginx/ },
  // The burst of the last 15 minutes, beside the hour's figures.
  { text: "traffic api.service-connect", max: 900, deciding: /; last 15m: 5xx \d+\.\d\d%/ },
  // Never averaged away by the week.
  {
    text: "traffic api.service-connect 7d",
    max: 900,
    deciding: /in the last 7d; last 15m: 5xx 2\d\.\d\d%/,
  },
  // A service behind a load balancer without Service Connect: who measured it, first.
  {
    text: "traffic checkout",
    max: 900,
    deciding: /checkout via shop-alb \(ALB\): [\d,]+ requests, target 5xx \d\.\d\d%/,
  },
  { text: "digest", max: 1500, deciding: /2 down, 3 degraded, 5 healthy/ },
  // Issue 24: the target failing the balancer's health check, and its reason.
  {
    text: "health checkout",
    max: 900,
    deciding:
      /^\*▲ DEGRADED tutorial\/checkout: 1 of 3 targets of checkout-tg unhealthy: GET \/healthz on 8080 answered 503, matcher 200\*/,
  },
];

const buttons = (blocks: KnownBlock[]) =>
  blocks.flatMap((b) =>
    b.type === "actions" ? b.elements.map((e) => ("action_id" in e ? e.action_id : "")) : [],
  );

describe("The first view of every demo health, traffic and digest answer", () => {
  let aws: Awaited<ReturnType<typeof useEmulatedAws>> | undefined;
  const docs = new Map<string, Doc>();
  beforeAll(async () => {
    aws = await useEmulatedAws();
    for (const { text } of QUESTIONS)
      docs.set(text, (await runEcsCommand(text, () => awsContext("ap-northeast-1"))).doc);
  });
  afterAll(async () => {
    await aws?.stop();
  });
  const docOf = (text: string): Doc => {
    const doc = docs.get(text);
    if (!doc) throw new Error(`no answer to ${text}`);
    return doc;
  };

  it.each(QUESTIONS)("fits a glance for $text", ({ text, max }) => {
    const doc = docOf(text);
    const headline = doc.glance ? plain(doc.glance.headline) : doc.summary;

    expect(headline.length).toBeLessThanOrEqual(GLANCE_HEADLINE_MAX);
    expect(viewSize(renderBlocks(doc).blocks).chars).toBeLessThanOrEqual(max);
  });

  it.each(QUESTIONS)("says the deciding fact first for $text", ({ text, deciding }) => {
    const first = slackTexts(renderBlocks(docOf(text)).blocks).join("\n");

    expect(first).toMatch(deciding);
  });

  it.each(QUESTIONS)("offers Details wherever something was left out, for $text", ({ text }) => {
    const doc = docOf(text);
    const first = renderBlocks(doc).blocks;
    const full = renderBlocks(doc, { view: "full" }).blocks;

    if (viewSize(full).chars > viewSize(first).chars)
      expect(buttons(first)).toContain(DETAILS_ACTION_ID);
    else expect(doc.glance).toBeUndefined();
    expect(buttons(full)).not.toContain(DETAILS_ACTION_ID);
  });

  it.each(QUESTIONS)("draws well-formed bold in the first view of $text", ({ text }) => {
    expect(mrkdwnTexts(renderBlocks(docOf(text))).flatMap(mrkdwnProblems)).toEqual([]);
  });

  it("says the notification's words as the first view's headline", () => {
    for (const { text } of QUESTIONS) {
      const doc = docOf(text);
      if (doc.glance) expect(doc.summary).toBe(plain(doc.glance.headline));
    }
  });
});
