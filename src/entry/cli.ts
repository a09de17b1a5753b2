import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { callLog } from "../aws/call-log.ts";
import {
  type AwsProfile,
  awsProfile,
  awsRegion,
  credentialsFailure,
  credentialsHint,
  credentialsProblem,
  useCredentialsOf,
} from "../aws/cli-credentials.ts";
import { forgetAwsClients } from "../aws/clients.ts";
import { classify } from "../aws/errors.ts";
import { quietLogsForTerminal } from "../aws/logger.ts";
import { awsContext } from "../commands/reads/aws-context.ts";
import { graphOfOutput } from "../commands/reads/traffic-graph.ts";
import { runEcsCommand } from "../commands/router.ts";
import { type Place, placesFrom, placesOfRegions } from "../domain/places.ts";
import { closestNames } from "../domain/suggest.ts";
import { renderBlocks } from "../render/blocks.ts";
import { progressLine } from "../render/progress.ts";
import { renderText } from "../render/text.ts";

/**
 * Exit statuses, as the AWS CLI's return codes have them where they mean the same
 * (docs.aws.amazon.com/cli/latest/userguide/cli-usage-returncodes.html).
 */
export const EXIT = {
  /** An answer, whatever its verdict ("not found" and a partial answer included). */
  answered: 0,
  usage: 2,
  /** No usable profile, region or credentials: nothing was asked of AWS. */
  configuration: 253,
  /** AWS was asked and nothing could be read (unreachable, denied, throttled). */
  unreadable: 254,
  /** Anything else: a bug. */
  failed: 255,
} as const;

const COMMANDS = ["whois", "health", "traffic", "why", "digest", "alerts", "help"];

const USAGE = `usage: ecs-chatops <whois|health|traffic|why|digest|help> [NAME] [--profile PROFILE]
                   [--region REGION] [--json] [--stats]

  whois NAME   what stands behind a Service Connect alias, DNS name, IP, service or task
  health NAME  healthy, degraded or down, and the reason that decides it
  traffic NAME [15m|1h|6h|1d|7d]  Service Connect traffic against the window before
  why CLIENT TARGET  why a service, task or lambda:NAME cannot reach a name: name, path, app
  digest [CLUSTER|NAMESPACE …] [--quiet]  every service judged, worst first, and what changed
  --profile    AWS profile, as the AWS CLI has it (else AWS_PROFILE, else default): its
               credentials (keys, SSO, credential_process, role) and its region
  --region     AWS region (else BOT_TARGETS's accounts and regions or BOT_REGIONS if set,
               else AWS_REGION, AWS_DEFAULT_REGION, then the profile's region)
  --json       print the Slack Block Kit payload instead of text
  --stats      print the region and profile read, the AWS calls made and the round trips
  --graph FILE with traffic: write the CloudWatch graph (PNG) of the name to FILE

Exit status: 0 answered (whatever the verdict, a partial answer included), 2 usage error,
  253 no usable profile, region or credentials (nothing was asked of AWS),
  254 AWS was asked and nothing could be read (unreachable, denied, throttled), 255 a bug.`;

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
  // The SDK's own switch (aws/aws-sdk-js-v3#7983): its 8-line notice is about SDK releases after
  // January 2027, which the lockfile decides, not the operator (the Lambda runs nodejs22.x).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  try {
    return await command(argv, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error && process.env.ECS_CHATOPS_DEBUG ? `\n${error.stack}` : "";
    io.err(`ecs-chatops: failed: ${message}${stack}\n`);
    return EXIT.failed;
  }
}

async function command(argv: string[], io: CliIo): Promise<number> {
  const parsed = parse(argv);
  if ("problem" in parsed) return usageError(io, parsed.problem);
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(`${USAGE}\n`);
    return EXIT.answered;
  }
  const name = positionals[0]?.toLowerCase();
  if (name === undefined) return usageError(io);
  if (!COMMANDS.includes(name)) {
    const [near] = closestNames(name, COMMANDS, 1);
    const typed = JSON.stringify(positionals[0]);
    return usageError(io, `unknown command ${typed}${near ? ` (did you mean ${near}?)` : ""}`);
  }
  if (name === "help") {
    io.out(renderText((await runEcsCommand("help", () => [])).doc));
    return EXIT.answered;
  }

  const profile = await awsProfile(values.profile);
  useCredentialsOf(values.profile);
  // This run's clients and credentials, made for this profile (main runs more than once in tests).
  forgetAwsClients();
  if (profile.from !== "default" && !profile.exists) {
    return configurationError(
      io,
      `profile ${profile.name} (from ${profile.from}) is not in ~/.aws/config or ~/.aws/credentials; run \`aws configure --profile ${profile.name}\`, or name another with --profile or AWS_PROFILE`,
    );
  }
  const found = await places(values.region, profile);
  if ("usage" in found) return usageError(io, found.usage);
  if ("configuration" in found) return configurationError(io, found.configuration);
  const where = found.places.map((p) => p.label).join(", ");
  const stats = () => {
    if (values.stats)
      printStats(io, `Read ${where} (${found.from}) with ${credentialsOf(profile)}`);
  };

  const problem = await credentialsProblem();
  if (problem) return configurationError(io, credentialsHint(profile, problem, where), true);

  callLog.reset();
  const aws = () => found.places.map((p) => awsContext(p));
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

  const unread = unreadable(profile, where);
  if (unread) {
    io.err(`${unread.line}\n`);
    stats();
    return unread.code;
  }
  const printed = values.json
    ? `${JSON.stringify(renderBlocks(output.doc), null, 2)}\n`
    : renderText(output.doc);
  // What was typed cannot be asked ("whois" without a name, a digest of a cluster that is not
  // one): the command's own answer says what to type, and the exit status is a usage error's.
  const invalid = (output.answer as { kind?: string } | undefined)?.kind === "invalid";
  io.out(printed);
  if (values.graph && output.command === "traffic") {
    await writeGraph(io, values.graph, () => graphOfOutput(aws)(output));
  }
  stats();
  return invalid ? EXIT.usage : EXIT.answered;
}

type Found = { places: Place[]; from: string } | { usage: string } | { configuration: string };

/** Where to read: --region, else the bot's own places if configured, else the profile's region. */
async function places(flag: string | undefined, profile: AwsProfile): Promise<Found> {
  const env = process.env;
  if (flag !== undefined) {
    const result = placesOfRegions(flag);
    if (!result.ok) return { usage: result.errors.join("; ").replace(/^BOT_REGIONS/, "--region") };
    return { places: result.places, from: "region from --region" };
  }
  if (env.BOT_TARGETS?.trim() || env.BOT_REGIONS?.trim()) {
    const result = placesFrom(env);
    if (!result.ok) return { configuration: result.errors.join("; ") };
    return {
      places: result.places,
      from: `places from ${env.BOT_TARGETS ? "BOT_TARGETS" : "BOT_REGIONS"}`,
    };
  }
  const region = await awsRegion(profile);
  if (!region) {
    const fix = `\`aws configure${profile.name === "default" ? "" : ` --profile ${profile.name}`}\``;
    return {
      configuration: `no AWS region: pass --region, set AWS_REGION, or give profile ${profile.name} one with ${fix}`,
    };
  }
  const result = placesOfRegions(region.region);
  if (!result.ok) {
    return {
      configuration: `${region.from}: ${JSON.stringify(region.region)} is not an AWS region`,
    };
  }
  return { places: result.places, from: `region from ${region.from}` };
}

function credentialsOf(profile: AwsProfile): string {
  return profile.envKeys ? "the credentials in AWS_ACCESS_KEY_ID" : `profile ${profile.name}`;
}

/**
 * The command ran, but AWS gave it nothing: its credentials were refused, or no call was
 * answered at all. One line instead of an answer that would read "not found".
 */
function unreadable(profile: AwsProfile, where: string) {
  const failures = callLog.failures();
  for (const failure of failures) {
    const problem = credentialsFailure(failure.code);
    if (problem)
      return { line: credentialsHint(profile, problem, where), code: EXIT.configuration };
  }
  // A call that answered "no such cluster" read something: that absence is the answer.
  const absent = failures.some((f) => classify(f.code) === "not-found");
  const first = failures[0];
  if (!first || absent || callLog.answered() > 0) return undefined;
  return {
    line: `ecs-chatops: could not read AWS in ${where}: ${failureReason(profile, first)}`,
    code: EXIT.unreadable,
  };
}

function failureReason(
  profile: AwsProfile,
  { operation, code }: { operation: string; code: string },
) {
  switch (classify(code)) {
    case "unreachable": {
      const endpoint = process.env.AWS_ENDPOINT_URL;
      return `${operation} could not reach ${endpoint ? `AWS_ENDPOINT_URL ${endpoint}` : "AWS"} (${code})`;
    }
    case "timeout":
      return `${operation} did not answer in time (${code})`;
    case "access-denied":
      return `${credentialsOf(profile)} may not call ${operation} (${code}); docs/permissions.md lists the read actions needed`;
    case "throttled":
      return `AWS throttled ${operation} (${code}) even after retries`;
    default:
      return `${operation} failed (${code})`;
  }
}

async function writeGraph(io: CliIo, file: string, graph: () => Promise<Uint8Array | undefined>) {
  try {
    const png = await graph();
    if (!png) return;
    await writeFile(file, png);
    io.err(`Graph written to ${file} (${png.length} bytes)\n`);
  } catch (error) {
    io.err(`No graph: ${(error as Error).message}\n`);
  }
}

function printStats(io: CliIo, read: string): void {
  const stats = callLog.stats();
  const byOp = Object.entries(stats.calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op}=${n}`)
    .join(" ");
  io.err(
    `\n${read}\nAWS calls: ${stats.total} (${byOp || "none"}); sequential round trips: ${stats.sequentialRoundTrips}\n`,
  );
}

function usageError(io: CliIo, problem?: string): number {
  io.err(`${problem ? `ecs-chatops: ${problem}\n` : ""}${USAGE}\n`);
  return EXIT.usage;
}

function configurationError(io: CliIo, line: string, prefixed = false): number {
  io.err(`${prefixed ? line : `ecs-chatops: ${line}`}\n`);
  return EXIT.configuration;
}

const OPTIONS = {
  profile: { type: "string" },
  region: { type: "string" },
  json: { type: "boolean", default: false },
  stats: { type: "boolean", default: false },
  graph: { type: "string" },
  quiet: { type: "boolean", default: false },
  every: { type: "string" },
  for: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** The command line, or one line saying what is wrong with it (never Node's parser text). */
function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? "";
    if (/^Unknown option/.test(message)) return { problem: `unknown option ${option}` };
    if (/argument missing/.test(message)) return { problem: `${option} needs a value` };
    if (/does not take an argument/.test(message)) return { problem: `${option} takes no value` };
    return { problem: message.split("\n")[0] ?? message };
  }
}
