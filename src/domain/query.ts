// What the user typed after `whois`, classified before any AWS call. Pure and total:
// every input gets a kind, and anything that cannot be an AWS name is refused here.

export type Query =
  | { kind: "ipv4"; text: string; ip: string }
  /** Long ARN (…:service/CLUSTER/NAME) or the old short format (…:service/NAME): no cluster. */
  | { kind: "service-arn"; text: string; cluster?: string; service: string }
  | { kind: "task-arn"; text: string; cluster?: string; taskId: string }
  | { kind: "cluster-service"; text: string; cluster: string; service: string }
  | { kind: "task-id"; text: string; taskId: string }
  /** Has a dot: a Service Connect alias or a Cloud Map / DNS name, maybe with :port. */
  | { kind: "dotted-name"; text: string; name: string; port?: number; head: string; tail: string }
  /** One label: a bare discovery name or an ECS service name. */
  | { kind: "bare-name"; text: string; name: string }
  | { kind: "invalid"; text: string; reason: string };

export const MAX_QUERY_LENGTH = 255;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const TASK_ID = /^[0-9a-f]{32}$/;
// ECS, Cloud Map and DNS names, ARNs and ports use only these characters.
const NAME_CHARS = /^[A-Za-z0-9._:/-]+$/;
const ECS_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:(service|task)\/(.+)$/;

export function parseQuery(input: string): Query {
  const text = input.trim();
  if (text.length === 0) return { kind: "invalid", text, reason: "no name given" };
  if (text.length > MAX_QUERY_LENGTH) {
    return {
      kind: "invalid",
      text,
      reason: `the name is longer than ${MAX_QUERY_LENGTH} characters`,
    };
  }
  if (/\s/.test(text)) return { kind: "invalid", text, reason: "give one name, without spaces" };
  if (!NAME_CHARS.test(text)) {
    return {
      kind: "invalid",
      text,
      reason: "names contain only letters, digits, '.', '-', '_', ':' and '/'",
    };
  }
  if (IPV4.test(text)) return { kind: "ipv4", text, ip: text };

  const arn = ECS_ARN.exec(text);
  if (arn) {
    const [, type, rest = ""] = arn;
    const parts = rest.split("/");
    if (parts.length === 2 && parts[0] && parts[1]) {
      return type === "service"
        ? { kind: "service-arn", text, cluster: parts[0], service: parts[1] }
        : { kind: "task-arn", text, cluster: parts[0], taskId: parts[1] };
    }
    // The old short format names no cluster: every cluster is searched.
    if (parts.length === 1 && parts[0]) {
      return type === "service"
        ? { kind: "service-arn", text, service: parts[0] }
        : { kind: "task-arn", text, taskId: parts[0] };
    }
    return {
      kind: "invalid",
      text,
      reason: "an ECS service or task ARN is …/name or …/cluster/name",
    };
  }
  if (text.startsWith("arn:")) {
    return { kind: "invalid", text, reason: "only ECS service and task ARNs are understood" };
  }

  if (text.includes("/")) {
    const parts = text.split("/");
    if (parts.length === 2 && parts[0] && parts[1]) {
      return { kind: "cluster-service", text, cluster: parts[0], service: parts[1] };
    }
    return { kind: "invalid", text, reason: "write a service as cluster/service" };
  }
  if (TASK_ID.test(text)) return { kind: "task-id", text, taskId: text };

  let name = text.toLowerCase().replace(/\.$/, "");
  let port: number | undefined;
  const colon = name.lastIndexOf(":");
  if (colon >= 0) {
    const p = Number(name.slice(colon + 1));
    if (!Number.isInteger(p) || p < 1 || p > 65535 || name.indexOf(":") !== colon) {
      return { kind: "invalid", text, reason: "a port is a number from 1 to 65535, as in name:80" };
    }
    port = p;
    name = name.slice(0, colon);
  }
  if (!name) return { kind: "invalid", text, reason: "no name given before the port" };
  const dot = name.indexOf(".");
  if (dot > 0 && dot < name.length - 1) {
    return {
      kind: "dotted-name",
      text,
      name,
      port,
      head: name.slice(0, dot),
      tail: name.slice(dot + 1),
    };
  }
  if (dot >= 0) return { kind: "invalid", text, reason: "a name does not start or end with a dot" };
  // ECS service names keep their case; DNS-like lookups are case-insensitive.
  return { kind: "bare-name", text, name: port === undefined ? text : text.slice(0, colon) };
}
