import fc from "fast-check";
import { expect, it } from "vitest";
import type { SlackMessage } from "../../src/render/blocks.ts";
import { blockKitViolations } from "../support/block-limits.ts";
import {
  fleetAndPicks,
  nth,
  PROPERTY_TIMEOUT,
  propsParameters,
  publishedAliases,
  truthOf,
  unknownName,
  useFleetEmulator,
} from "./support.ts";

// Block Kit stays within Slack's limits, and what the user typed comes back escaped, for every
// answer: real questions about the fleet and hostile ones.

const emulator = useFleetEmulator();

/** Every mrkdwn and plain text Slack renders (button values are not rendered). */
function renderedTexts(message: SlackMessage): string[] {
  const texts = [message.text];
  const visit = (node: unknown, key?: string) => {
    if (Array.isArray(node)) for (const item of node) visit(item);
    else if (node && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if (k === "value" || k === "action_id") continue;
        visit(v, k);
      }
    } else if (typeof node === "string" && key === "text") texts.push(node);
  };
  visit(message.blocks);
  return texts;
}

/** Text a user could type to reach the channel, mention someone, or forge an entity. */
const hostile = fc.constantFrom(
  "<!channel>",
  "<!here|here>",
  "<@U123ABC>",
  "<#C0123|general>",
  "&amp;",
  "a&b<c>d",
  "<https://evil.example|click>",
  "*bold* _it_ `code`",
  "x".repeat(4000),
  "api<!everyone>.service-connect:80",
);

it(
  "stays within Block Kit's limits and escapes what the user typed, for every answer",
  async () => {
    await fc.assert(
      fc.asyncProperty(fleetAndPicks, hostile, async ({ fleetSeed, picks }, evil) => {
        const fleet = emulator.use(fleetSeed);
        const truth = truthOf(fleet);
        const [a = 0, b = 0, c = 0, d = 0] = picks;
        const alias = nth(publishedAliases(truth), a);
        const service = nth(truth.services, b);
        const ip = nth([...truth.holders.keys(), ...truth.stoppedIps], c);
        const verbs = ["whois", "health", "traffic"];
        const verb = nth(verbs, d) ?? "whois";
        const questions = [
          ...(alias
            ? [`${verb} ${alias.discoveryName}`, `${verb} ${alias.dnsName}:${alias.port}`]
            : []),
          ...(service ? [`${verb} ${service.name}`] : []),
          ...(ip ? [`whois ${ip}`] : []),
          ...(service && alias ? [`why ${service.cluster}/${service.name} ${alias.dnsName}`] : []),
          `digest${d % 2 ? " --quiet" : ""}`,
          `${verb} ${unknownName(fleet, d)}`,
          `${verb} ${evil}`,
          `why ${evil} ${alias?.dnsName ?? "x"}`,
          `why ${service?.name ?? "x"} ${evil}`,
          `digest ${evil}`,
        ];
        for (const question of questions) {
          const answer = await emulator.ask(question);
          const where = `${question.slice(0, 200)} (fleet ${fleetSeed})`;
          // The first view, and the full answer Details shows.
          for (const message of [answer.blocks, answer.full]) {
            expect(blockKitViolations(message), where).toEqual([]);
            for (const text of renderedTexts(message)) {
              // No raw control sequence, and every & starts an entity Slack knows.
              expect(text, where).not.toMatch(/<[!@#]|<https?:/);
              expect(text, where).not.toMatch(/&(?!amp;|lt;|gt;)/);
            }
          }
        }
      }),
      propsParameters(4),
    );
  },
  PROPERTY_TIMEOUT,
);
