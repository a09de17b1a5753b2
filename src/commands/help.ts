import type { Doc, Line } from "../render/document.ts";
import { cutPlain } from "../render/escape.ts";
import { USAGE } from "../render/whois-document.ts";

/** How much of an unknown subcommand the answer echoes back: it is the user's text, of any length. */
const ECHO_MAX = 40;

/** `/ecs help`, and the answer to a subcommand the bot does not know. */
export function helpDocument(subcommand?: string): Doc {
  const unknown = subcommand && cutPlain(subcommand, ECHO_MAX, "…");
  const lines: Line[] = [];
  if (unknown)
    lines.push([{ bold: "Unknown command" }, " ", { code: unknown }, ". Here is what I can do:"]);
  lines.push([
    { code: "/ecs whois <name | IP | service | task>" },
    " what stands behind a name: mechanism, who can resolve it, publisher, endpoints and health.",
  ]);
  lines.push([
    { code: "/ecs health <name | IP | service | task>" },
    " healthy, degraded or down, and why: tasks, rollout, stops, events, Cloud Map registrations, Service Connect clients.",
  ]);
  lines.push([
    { code: "/ecs traffic <name> [15m|1h|6h|1d|7d]" },
    " Service Connect requests, HTTP codes, 5xx rate, latency and callers, against the window before.",
  ]);
  lines.push([
    { code: "/ecs why <client> <target>" },
    " why a service, task or lambda:NAME cannot reach a name: name, then path (security groups, network ACLs, routes), then app, with the fix.",
  ]);
  lines.push([
    { code: "/ecs digest [cluster | namespace …] [--quiet]" },
    " every service judged as health judges it: down, degraded and noisy first, the healthy in one line.",
  ]);
  lines.push([
    { code: "/ecs digest … --every 15m --for 2h" },
    " in an incident channel: the same digest again every 15 minutes for 2 hours; ",
    { code: "/ecs digest stop" },
    " ends it.",
  ]);
  lines.push([{ code: "/ecs help" }, " this message."]);
  return {
    summary: unknown
      ? `Unknown command ${unknown}: try /ecs help`
      : "/ecs whois <name|ip|service|task>",
    sections: [{ lines }, { heading: "Examples", lines: USAGE }],
    notes: [],
  };
}

/**
 * The answer to every command when the deployment's list of accounts and regions (BOT_TARGETS or
 * BOT_REGIONS) is wrong: what is wrong, for whoever deployed it. No AWS call is made.
 */
export function misconfigured(errors: readonly string[]): {
  command: "help";
  doc: Doc;
} {
  return {
    command: "help",
    doc: {
      summary: "ECS ChatOps is misconfigured: it does not know which AWS accounts to read.",
      sections: [
        {
          lines: [
            [
              { bold: "ECS ChatOps is misconfigured" },
              ": it does not know which AWS accounts to read.",
            ],
            ...errors.map((e): Line => ["• ", { code: e }]),
            ["Whoever deployed the bot can fix BOT_TARGETS (or BOT_REGIONS) and redeploy."],
          ],
        },
      ],
      notes: [],
    },
  };
}
