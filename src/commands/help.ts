import { type HelpExamples, helpExamples } from "../domain/help-examples.ts";
import type { Doc, Line } from "../render/document.ts";
import { cutPlain } from "../render/escape.ts";
import type { AwsContext } from "./reads/aws-context.ts";
import { type Catalog, catalogKey, knownNames } from "./reads/catalog.ts";

/** How much of an unknown subcommand the answer echoes back: it is the user's text, of any length. */
const ECHO_MAX = 40;

const VERBS = ["whois", "health", "traffic", "why", "digest", "alerts"] as const;
type Verb = (typeof VERBS)[number];

/** Each verb's lines, with the user's own names (or placeholders) as examples. */
function verbLines(verb: Verb, x: HelpExamples): Line[] {
  switch (verb) {
    case "whois":
      return [
        [
          { code: "/ecs whois <name | IP | service | task>" },
          " what stands behind a name: mechanism, who can resolve it, publisher, endpoints and health.",
        ],
        [
          { code: `/ecs whois ${x.name}` },
          " a Service Connect alias or Cloud Map DNS name (add ",
          { code: ":PORT" },
          " for one port)",
        ],
        [
          { code: `/ecs whois ${x.client}` },
          " an ECS service (cluster/name or ARN); a task ID, task ARN or IP works too",
        ],
      ];
    case "health":
      return [
        [
          { code: "/ecs health <name | IP | service | task>" },
          " healthy, degraded or down, and why: tasks, rollout, stops, events, Cloud Map registrations, Service Connect clients.",
        ],
        [{ code: `/ecs health ${x.name}` }],
      ];
    case "traffic":
      return [
        [
          { code: "/ecs traffic <name> [15m|1h|6h|1d|7d]" },
          " Service Connect requests, HTTP codes, 5xx rate, latency and callers, against the window before.",
        ],
        [{ code: `/ecs traffic ${x.name} 1h` }],
      ];
    case "why":
      return [
        [
          { code: "/ecs why <client> <target>" },
          " why a service, task or lambda:NAME cannot reach a name: name, then path (security groups, network ACLs, routes), then app, with the fix.",
        ],
        [{ code: `/ecs why ${x.client} ${x.name}` }],
      ];
    case "digest":
      return [
        [
          { code: "/ecs digest [cluster | namespace …] [--quiet]" },
          " every service judged as health judges it: down, degraded and noisy first, the healthy in one line.",
        ],
        [{ code: `/ecs digest ${x.scope}` }],
        [
          { code: `/ecs digest ${x.scope} --every 15m --for 2h` },
          " in an incident channel: the same digest every 15 minutes for 2 hours; ",
          { code: "/ecs digest stop" },
          " ends it.",
        ],
      ];
    case "alerts":
      return [
        [
          { code: "/ecs alerts" },
          " the incident notifications: routes (and their errors), open incidents, mutes.",
        ],
        [
          { code: `/ecs alerts mute ${x.client} 1h` },
          " keeps that service's open incidents out of this channel for an hour; ",
          { code: "unmute" },
          " ends it.",
        ],
      ];
  }
}

const isVerb = (word: string): word is Verb => (VERBS as readonly string[]).includes(word);

/**
 * `/ecs help [command]`, and the answer to a subcommand the bot does not know. The examples are
 * the user's own names when `examples` come from the fleet, placeholders otherwise: never the
 * demo fleet's names in someone's production.
 */
export function helpDocument(subcommand?: string, examples: HelpExamples = helpExamples([])): Doc {
  const topic = subcommand?.trim().toLowerCase() ?? "";
  const placeholders = [examples.name, examples.client, examples.scope].some((e) =>
    e.includes("<"),
  );
  const fill: Line[] = placeholders
    ? [["Replace the parts in angle brackets with your own names."]]
    : [];
  if (isVerb(topic)) {
    return {
      summary: `/ecs ${topic}: how to ask`,
      sections: [{ lines: [...verbLines(topic, examples), ...fill] }],
      notes: [],
    };
  }
  const unknown = topic && topic !== "help" && cutPlain(subcommand ?? "", ECHO_MAX, "…");
  const lines: Line[] = [];
  if (unknown)
    lines.push([{ bold: "Unknown command" }, " ", { code: unknown }, ". Here is what I can do:"]);
  for (const verb of VERBS) lines.push(verbLines(verb, examples)[0] as Line);
  lines.push([{ code: "/ecs help <command>" }, " how to ask one command, with examples."]);
  return {
    summary: unknown
      ? `Unknown command ${unknown}: try /ecs help`
      : "/ecs whois | health | traffic | why | digest | alerts: try /ecs help <command>",
    sections: [
      { lines },
      {
        heading: examples.fromFleet ? "Examples on your fleet" : "Examples",
        lines: [...VERBS.map((v) => verbLines(v, examples)[1] as Line), ...fill],
      },
    ],
    notes: [],
  };
}

/**
 * Help with examples from the user's fleet, for what it costs one cached read: the namespaces
 * (kept for minutes) and, when a search already loaded it, the catalog of names. A read that fails
 * leaves placeholders: help never waits on, or fails with, AWS.
 */
export async function helpOnFleet(aws: () => AwsContext, topic: string): Promise<Doc> {
  let ctx: AwsContext;
  try {
    ctx = aws();
  } catch {
    return helpDocument(topic);
  }
  const namespaces = await ctx.cloudMap.listNamespaces().catch(() => []);
  const catalog = await ctx.cache.peek<Catalog>(catalogKey(ctx))?.catch(() => undefined);
  const services = (catalog?.ecsServices ?? []).map((s) => ({
    cluster: s.clusterName,
    name: s.name,
  }));
  return helpDocument(
    topic,
    helpExamples(namespaces, catalog ? knownNames(catalog) : [], services),
  );
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
