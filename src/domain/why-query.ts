// What the user typed after `why`: a client and a target, classified before any AWS call.

import { balancerQuery } from "./load-balancing/whois.ts";
import { parseQuery, type Query } from "./query.ts";

export type WhyClientQuery =
  | { kind: "lambda"; text: string; name: string }
  | {
      kind: "ecs";
      text: string;
      query: Extract<
        Query,
        { kind: "cluster-service" | "service-arn" | "task-id" | "task-arn" | "ipv4" | "bare-name" }
      >;
    };

export type WhyQuery =
  | { kind: "pair"; text: string; client: WhyClientQuery; target: Query }
  | { kind: "invalid"; text: string; reason: string };

/** The question to type for a pair: "/ecs why tutorial/web-frontend api.staging". */
export function whyQuestion(client: string, target: string): string {
  return `/ecs why ${client} ${target}`;
}

export const WHY_USAGE =
  "/ecs why CLIENT TARGET: CLIENT is an ECS service (cluster/name or its ARN), a task ID or IP, or lambda:NAME; TARGET is anything /ecs whois takes (alias[:port], DNS name, IP, service)";

// Lambda function names: letters, digits, hyphens and underscores, up to 64 (Lambda API).
const LAMBDA_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]{1,64})$/;

function parseClient(text: string): WhyClientQuery | { invalid: string } {
  const lambda = /^lambda:(.*)$/i.exec(text)?.[1];
  const arn = LAMBDA_ARN.exec(text)?.[1];
  if (arn) return { kind: "lambda", text, name: arn };
  if (lambda !== undefined) {
    return LAMBDA_NAME.test(lambda)
      ? { kind: "lambda", text, name: lambda }
      : { invalid: "a Lambda function name has only letters, digits, '-' and '_' (lambda:NAME)" };
  }
  const query = parseQuery(text);
  switch (query.kind) {
    case "invalid":
      return { invalid: `the client: ${query.reason}` };
    case "dotted-name":
      return {
        invalid: `the client is what makes the call (a service, task, IP or lambda:NAME), not a name like ${text}`,
      };
    default:
      return { kind: "ecs", text, query };
  }
}

export function parseWhy(input: string): WhyQuery {
  const text = input.trim();
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length !== 2) {
    return {
      kind: "invalid",
      text,
      reason: words.length < 2 ? "give a client and a target" : "give exactly two names",
    };
  }
  const [clientText = "", targetText = ""] = words;
  if (clientText.toLowerCase() === targetText.toLowerCase()) {
    return { kind: "invalid", text, reason: "the client and the target are the same" };
  }
  const client = parseClient(clientText);
  if ("invalid" in client) return { kind: "invalid", text, reason: client.invalid };
  const target = parseQuery(targetText);
  // A load balancer's or target group's ARN is no ECS query, but why goes through it.
  if (target.kind === "invalid" && !balancerQuery(targetText)?.kind.endsWith("-arn")) {
    return { kind: "invalid", text, reason: `the target: ${target.reason}` };
  }
  return { kind: "pair", text, client, target };
}
