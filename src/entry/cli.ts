import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { callLog } from "../aws/call-log.ts";
import { quietLogsForTerminal } from "../aws/logger.ts";
import { awsContext } from "../commands/reads/aws-context.ts";
import { graphOfOutput } from "../commands/reads/traffic-graph.ts";
import { runEcsCommand } from "../commands/router.ts";
import { placesFrom, placesOfRegions } from "../domain/places.ts";
import { renderBlocks } from "../render/blocks.ts";
import { progressLine } from "../render/progress.ts";
import { renderText } from "../render/text.ts";

const USAGE = `usage: ecs-chatops <whois|health|traffic|why|digest|help> [NAME] [--region REGION] [--json] [--stats]

  whois NAME   what stands behind a Service Connect alias, DNS name, IP, service or task
  health NAME  healthy, degraded or down, and the reason that decides it
  traffic NAME [15m|1h|6h|1d|7d]  Service Connect traffic against the window before
  why CLIENT TARGET  why a service, task or lambda:NAME cannot reach a name: name, path, app
  digest [CLUSTER|NAMESPACE …] [--quiet]  every service judged, worst first, and what changed
  --region     AWS region (default: BOT_TARGETS's accounts and regions, else BOT_REGIONS,
               else AWS_REGION, then ap-northeast-1)
  --json       print the Slack Block Kit payload instead of text
  --stats      print the AWS calls made and the sequential round trips
  --graph FILE with traffic: write the CloudWatch graph (PNG) of the name to FILE
Credentials come from the AWS SDK's default chain (env, profile, SSO, instance role).`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** How far a long command has come, on one line that is rewritten (a terminal only). */
  progress?: (line: string) => void;
}

const terminalProgress = process.stderr.isTTY
  ? (line: string) => process.stderr.write(`\r\x1b[K${line}`)
  : undefined;

/** The on-call engineer's terminal fallback: the very command code Slack runs. Returns the exit code. */
export async function main(
  argv: string[],
  io: CliIo = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    progress: terminalProgress,
  },
): Promise<number> {
  quietLogsForTerminal();
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const places = values.region
    ? placesOfRegions(values.region)
    : placesFrom({
        ...process.env,
        AWS_REGION: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
      });
  if (!places.ok) {
    io.err(`${places.errors.join("\n")}\n`);
    return 2;
  }
  callLog.reset();
  const aws = () => places.places.map((p) => awsContext(p));
  // --every/--for go to the digest, which says what they mean in a terminal.
  const schedule = (["every", "for"] as const).flatMap((f) =>
    values[f] ? [`--${f}`, values[f]] : [],
  );
  const text = [...positionals, ...(values.quiet ? ["--quiet"] : []), ...schedule].join(" ");
  const progress = io.progress;
  const output = await runEcsCommand(text, aws, undefined, {
    onProgress: progress && ((p) => progress(progressLine(p))),
  });
  progress?.("");
  io.out(
    values.json ? `${JSON.stringify(renderBlocks(output.doc), null, 2)}\n` : renderText(output.doc),
  );
  if (values.graph && output.command === "traffic") {
    const png = await graphOfOutput(aws)(output).catch((error: unknown) => {
      io.err(`No graph: ${(error as Error).message}\n`);
      return undefined;
    });
    if (png) {
      await writeFile(values.graph, png);
      io.err(`Graph written to ${values.graph} (${png.length} bytes)\n`);
    }
  }
  if (values.stats) {
    const stats = callLog.stats();
    const byOp = Object.entries(stats.calls)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([op, n]) => `${op}=${n}`)
      .join(" ");
    io.err(
      `\nAWS calls: ${stats.total} (${byOp || "none"}); sequential round trips: ${stats.sequentialRoundTrips}\n`,
    );
  }
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      region: { type: "string" },
      json: { type: "boolean", default: false },
      stats: { type: "boolean", default: false },
      graph: { type: "string" },
      quiet: { type: "boolean", default: false },
      every: { type: "string" },
      for: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}
