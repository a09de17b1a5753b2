import type { CommandCall } from "../domain/answer.ts";
import { alertsDocument } from "../render/alerts-document.ts";
import { digestAnswerDocument } from "../render/digest-document.ts";
import type { Doc } from "../render/document.ts";
import { healthDocument } from "../render/health-document.ts";
import { trafficDocument } from "../render/traffic-document.ts";
import { whoisDocument } from "../render/whois-document.ts";
import { whyDocument } from "../render/why-document.ts";
import { alerts } from "./alerts.ts";
import { digest } from "./digest.ts";
import { health } from "./health.ts";
import { helpDocument, helpOnFleet } from "./help.ts";
import type { AwsContext } from "./reads/aws-context.ts";
import { type AwsPlaces, acrossPlaces } from "./reads/places.ts";
import { traffic } from "./traffic.ts";
import { whois } from "./whois.ts";
import { why } from "./why.ts";

export interface CommandOutput {
  /** The subcommand that ran: "whois", "help". */
  command: string;
  doc: Doc;
  /** The domain answer, for callers that print JSON or count outcomes. */
  answer?: unknown;
  /** The places (account and region) where it was found, in configured order. */
  foundIn?: string[];
}

/** `/ecs <subcommand> <args>`: the one entry point Slack, the CLI and the demo share. */
export async function runEcsCommand(
  text: string,
  aws: AwsPlaces,
  now: () => Date = () => new Date(),
  place: CommandCall = {},
): Promise<CommandOutput> {
  const output = await dispatch(text, aws, place);
  // Refused input (help, invalid names) gets no Refresh or Share: and the user's raw text is
  // never carried back to Slack, not even in a button's value.
  const refused =
    output.command === "help" ||
    (output.answer as { kind?: string } | undefined)?.kind === "invalid";
  if (refused) return output;
  // Refresh re-asks the question, never acts again: an incident digest's flags stay behind, and a
  // mute or unmute is refreshed (and shared) as the list of alerts it changed.
  const again =
    output.command === "alerts"
      ? "alerts"
      : text
          .trim()
          .replace(/\s--(every|for)\s+\S+/g, "")
          .trim();
  return { ...output, doc: { ...output.doc, command: again, asOf: now() } };
}

async function dispatch(text: string, aws: AwsPlaces, place: CommandCall): Promise<CommandOutput> {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  const sub = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  const args = space < 0 ? "" : trimmed.slice(space + 1).trim();
  switch (sub) {
    case "whois":
      return {
        command: "whois",
        ...(await acrossPlaces(aws, (a) => whois(a, args), whoisDocument, "resolutions")),
      };
    case "health":
      return {
        command: "health",
        ...(await acrossPlaces(aws, (a) => health(a, args), healthDocument, "reports")),
      };
    case "traffic":
      return {
        command: "traffic",
        ...(await acrossPlaces(aws, (a) => traffic(a, args), trafficDocument, "results")),
      };
    case "why":
      return {
        command: "why",
        ...(await acrossPlaces(aws, (a) => why(a, args), whyDocument, "reports")),
      };
    case "digest": {
      // A digest reads one place: the first configured (scheduled digests name their own region).
      const answer = await digest(() => [aws()].flat()[0] as AwsContext, args, place);
      return { command: "digest", doc: digestAnswerDocument(answer), answer };
    }
    case "alerts": {
      const answer = await alerts(args, place);
      return { command: "alerts", doc: alertsDocument(answer), answer };
    }
    case "":
    case "help":
      // Help reads one place, as a digest does: its examples are that place's names.
      return {
        command: "help",
        doc: await helpOnFleet(() => [aws()].flat()[0] as AwsContext, args),
      };
    default:
      return { command: "help", doc: helpDocument(sub) };
  }
}
