// The one logger of every log line: Powertools for AWS Lambda's Logger, JSON lines with the level,
// the message, the Lambda request ID and the cold-start flag (once an entry has called
// `logInvocation`), then the line's own fields. It never holds a token, a secret or a signature.
import { Logger, type LogItem, LogLevelThreshold } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";

type Sink = "console" | "stderr";
let sink: Sink = "console";

/**
 * In Lambda, Powertools writes through its own Console on stdout/stderr (the runtime's patched
 * global console would prefix every line). Elsewhere (tests, the Socket Mode dev server, the
 * benchmarks) lines go through the global console, where those processes capture or silence them:
 * info as console.log, warnings as console.warn, errors as console.error.
 */
class EcsChatopsLogger extends Logger {
  protected override printLog(level: number, log: LogItem): void {
    if (process.env.AWS_LAMBDA_RUNTIME_API) {
      super.printLog(level, log);
      return;
    }
    log.prepareForPrint();
    const line = JSON.stringify(log.getAttributes(), this.getJsonReplacer());
    if (sink === "stderr") process.stderr.write(`${line}\n`);
    else if (level >= LogLevelThreshold.ERROR) console.error(line);
    else if (level >= LogLevelThreshold.WARN) console.warn(line);
    else console.log(line);
  }
}

export const logger = new EcsChatopsLogger({ serviceName: "ecs-chatops" });

/** Each Lambda entry, first: the lines of this invocation carry its request ID and cold start. */
export function logInvocation(context: Partial<Context>): void {
  // addContext reads the request ID, function name, version, ARN and memory only; the tests' and
  // the benchmarks' stand-in contexts carry some of them.
  logger.addContext(context as Context);
}

/**
 * The terminal: its output is the answer, so no log line reaches it, unless ECS_CHATOPS_DEBUG is
 * set, and then on stderr only.
 */
export function quietLogsForTerminal(env: NodeJS.ProcessEnv = process.env): void {
  if (env.ECS_CHATOPS_DEBUG) {
    sink = "stderr";
    logger.setLogLevel("DEBUG");
  } else {
    logger.setLogLevel("SILENT");
  }
}
