// Routes: which incidents go to which Slack channel, and what each route keeps quiet. Operators
// keep them beside the digest targets, in the same SSM parameter (`routes:` next to `targets:`),
// as JSON or YAML. Every error names its field (`routes[2].channel: required`); a route with an
// error is reported and skipped, the valid ones are kept, so one typo never silences the rest.

import { CHANNEL, REGION } from "../digest-targets.ts";
import {
  INCIDENT_KINDS,
  type IncidentKind,
  SEVERITIES,
  type Severity,
  type Signal,
} from "./classify.ts";
import { isRecord, type Raw, type Subject } from "./event.ts";

export interface RouteMatch {
  accounts?: string[];
  regions?: string[];
  /** Glob patterns (`*`, `?`) of cluster names. */
  clusters?: string[];
  /** Glob patterns of Cloud Map namespace names; the incident's namespaces come from enrichment. */
  namespaces?: string[];
  /** Glob patterns of service names: `api-*`. */
  services?: string[];
  /** Glob patterns of alarm names: a route that names alarms carries alarm incidents only. */
  alarms?: string[];
  /** The least severity delivered: `warning` (everything, the default) or `error`. */
  severity: Severity;
}

export interface Route {
  /** Position in the configured list (what errors and `/ecs alerts` call it). */
  index: number;
  name: string;
  /** Slack channel ID (C…, G…). */
  channel: string;
  match: RouteMatch;
  /** Incident kinds this route keeps quiet (routine stops are quiet everywhere already). */
  quiet: IncidentKind[];
}

export interface RouteError {
  /** The route it concerns; absent for the document itself. */
  index?: number;
  /** `routes[2].channel`. */
  path: string;
  message: string;
}

export interface RoutesResult {
  /** False when the document has no `routes` at all: notifications are off, not broken. */
  configured: boolean;
  routes: Route[];
  errors: RouteError[];
}

/** `routes[0].match.severity: must be one of error, warning`. */
export const routeErrorText = (e: RouteError): string => `${e.path}: ${e.message}`;

const ACCOUNT = /^\d{12}$/;
const PATTERN = /^[A-Za-z0-9*?][A-Za-z0-9_.:/*?-]{0,254}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$/;
const show = (value: unknown) => JSON.stringify(value) ?? String(value);

const MATCH_FIELDS = {
  account: "accounts",
  region: "regions",
  cluster: "clusters",
  namespace: "namespaces",
  service: "services",
  alarm: "alarms",
} as const;
const ROUTE_FIELDS = ["name", "channel", "match", "quiet"];

type ErrorSink = (path: string, message: string) => void;

/** A string or a non-empty list of strings, each matching `pattern`. */
function list(
  value: unknown,
  path: string,
  pattern: RegExp,
  what: string,
  error: ErrorSink,
): string[] | undefined {
  if (value === undefined) return undefined;
  const items = typeof value === "string" ? [value] : value;
  if (!Array.isArray(items) || items.length === 0) {
    error(path, `${show(value)} is not ${what} or a non-empty list of them`);
    return undefined;
  }
  const bad = items.find((v) => typeof v !== "string" || !pattern.test(v));
  if (bad !== undefined) {
    error(path, `${show(bad)} is not ${what}`);
    return undefined;
  }
  return items as string[];
}

function matchOf(raw: unknown, path: string, error: ErrorSink): RouteMatch {
  const match: RouteMatch = { severity: "warning" };
  if (raw === undefined) return match;
  if (!isRecord(raw)) {
    error(path, `${show(raw)} is not an object`);
    return match;
  }
  for (const key of Object.keys(raw)) {
    if (key !== "severity" && !(key in MATCH_FIELDS)) {
      error(
        `${path}.${key}`,
        `not a field of match (${[...Object.keys(MATCH_FIELDS), "severity"].join(", ")})`,
      );
    }
  }
  const patterns: Record<keyof typeof MATCH_FIELDS, [RegExp, string]> = {
    account: [ACCOUNT, "a 12-digit account ID"],
    region: [REGION, "an AWS region"],
    cluster: [PATTERN, "a name or glob pattern"],
    namespace: [PATTERN, "a name or glob pattern"],
    service: [PATTERN, "a name or glob pattern"],
    alarm: [PATTERN, "a name or glob pattern"],
  };
  for (const [field, target] of Object.entries(MATCH_FIELDS) as [
    keyof typeof MATCH_FIELDS,
    keyof RouteMatch,
  ][]) {
    const [pattern, what] = patterns[field];
    const values = list((raw as Raw)[field], `${path}.${field}`, pattern, what, error);
    if (values) (match[target] as string[] | undefined) = values;
  }
  const severity = raw.severity;
  if (severity !== undefined) {
    if (typeof severity === "string" && (SEVERITIES as readonly string[]).includes(severity)) {
      match.severity = severity as Severity;
    } else {
      error(`${path}.severity`, `must be one of ${SEVERITIES.join(", ")} (got ${show(severity)})`);
    }
  }
  return match;
}

function quietOf(raw: unknown, path: string, error: ErrorSink): IncidentKind[] {
  if (raw === undefined) return [];
  const items = typeof raw === "string" ? [raw] : raw;
  if (!Array.isArray(items)) {
    error(path, `${show(raw)} is not a list of incident kinds`);
    return [];
  }
  const kinds: IncidentKind[] = [];
  items.forEach((item, i) => {
    if (typeof item === "string" && (INCIDENT_KINDS as readonly string[]).includes(item)) {
      kinds.push(item as IncidentKind);
    } else {
      error(`${path}[${i}]`, `must be one of ${INCIDENT_KINDS.join(", ")} (got ${show(item)})`);
    }
  });
  return kinds;
}

function routeOf(raw: unknown, index: number, errors: RouteError[]): Route | undefined {
  const path = `routes[${index}]`;
  const before = errors.length;
  const error: ErrorSink = (p, message) => errors.push({ index, path: p, message });
  if (!isRecord(raw)) {
    error(path, `${show(raw)} is not an object`);
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!ROUTE_FIELDS.includes(key))
      error(`${path}.${key}`, `not a field of a route (${ROUTE_FIELDS.join(", ")})`);
  }
  const channel = raw.channel;
  if (channel === undefined) error(`${path}.channel`, "required");
  else if (typeof channel !== "string" || !CHANNEL.test(channel)) {
    error(`${path}.channel`, `${show(channel)} is not a channel ID (C… or G…)`);
  }
  const name = raw.name ?? `route-${index}`;
  if (typeof name !== "string" || !NAME.test(name))
    error(`${path}.name`, `${show(name)} is not a name`);
  const match = matchOf(raw.match, `${path}.match`, error);
  const quiet = quietOf(raw.quiet, `${path}.quiet`, error);
  if (errors.length > before) return undefined;
  return { index, name: name as string, channel: channel as string, match, quiet };
}

/** `{ routes: [...] }` (other keys, such as the digest's `targets`, are left to their readers). */
export function validateRoutes(document: unknown): RoutesResult {
  const list = isRecord(document) ? document.routes : undefined;
  if (list === undefined || list === null) return { configured: false, routes: [], errors: [] };
  if (!Array.isArray(list)) {
    return {
      configured: true,
      routes: [],
      errors: [{ path: "routes", message: `${show(list)} is not a list of routes` }],
    };
  }
  const errors: RouteError[] = [];
  const routes = list.flatMap((raw, i) => routeOf(raw, i, errors) ?? []);
  const seen = new Map<string, number>();
  const unique = routes.filter((route) => {
    const first = seen.get(route.name);
    if (first === undefined) {
      seen.set(route.name, route.index);
      return true;
    }
    errors.push({
      index: route.index,
      path: `routes[${route.index}].name`,
      message: `${show(route.name)} is already the name of routes[${first}]`,
    });
    return false;
  });
  return { configured: true, routes: unique, errors };
}

/**
 * Parses the parameter's text and validates it; never throws. The parser comes in (the adapter
 * passes `yaml`'s `parse`, which reads JSON too): the domain imports no package that reads text.
 */
export function routesFrom(
  parameter: string,
  source: string,
  parse: (text: string) => unknown,
): RoutesResult {
  try {
    return validateRoutes(parse(source));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return {
      configured: true,
      routes: [],
      errors: [{ path: parameter, message: `not JSON or YAML: ${reason}` }],
    };
  }
}

// ---- Matching ----

/** What a route is matched against: the incident as classified, plus enrichment. */
export interface IncidentFacts {
  account: string;
  region: string;
  cluster: string;
  service?: string;
  alarm?: string;
  kind: IncidentKind;
  severity: Severity;
  /** The service's Cloud Map namespaces, when enrichment read them; undefined when not read. */
  namespaces?: string[];
}

/** The facts of a classified incident event, with the namespaces enrichment read (if any). */
export function incidentFacts(
  subject: Subject,
  signal: Pick<Signal, "kind" | "severity">,
  namespaces?: string[],
): IncidentFacts {
  return {
    account: subject.account,
    region: subject.region,
    cluster: subject.cluster,
    kind: signal.kind,
    severity: signal.severity,
    ...(subject.service !== undefined ? { service: subject.service } : {}),
    ...(subject.alarm !== undefined ? { alarm: subject.alarm } : {}),
    ...(namespaces ? { namespaces } : {}),
  };
}

const globs = new Map<string, RegExp>();

/** `*` any run of characters, `?` one; everything else literal; whole-name match. */
export function globMatches(pattern: string, value: string): boolean {
  let re = globs.get(pattern);
  if (!re) {
    const body = pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/-]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${body}$`);
    globs.set(pattern, re);
  }
  return re.test(value);
}

const anyGlob = (patterns: string[] | undefined, value: string | undefined) =>
  patterns === undefined || (value !== undefined && patterns.some((p) => globMatches(p, value)));

const RANK: Record<Severity, number> = { warning: 1, error: 2 };

export interface RouteDecision {
  /** Channels to deliver to, in route order, each once. */
  channels: string[];
  /** Routes that name namespaces when the incident's namespaces were not read: not delivered. */
  undecided: string[];
}

export function matchRoutes(routes: readonly Route[], facts: IncidentFacts): RouteDecision {
  const channels: string[] = [];
  const undecided: string[] = [];
  for (const route of routes) {
    const m = route.match;
    if ((m.alarms !== undefined) !== (facts.kind === "alarm")) continue;
    if (route.quiet.includes(facts.kind)) continue;
    if (RANK[facts.severity] < RANK[m.severity]) continue;
    if (m.accounts && !m.accounts.includes(facts.account)) continue;
    if (m.regions && !m.regions.includes(facts.region)) continue;
    if (!anyGlob(m.clusters, facts.cluster)) continue;
    if (!anyGlob(m.services, facts.service)) continue;
    if (!anyGlob(m.alarms, facts.alarm)) continue;
    if (m.namespaces) {
      if (facts.namespaces === undefined) {
        undecided.push(route.name);
        continue;
      }
      if (!facts.namespaces.some((n) => anyGlob(m.namespaces, n))) continue;
    }
    if (!channels.includes(route.channel)) channels.push(route.channel);
  }
  return { channels, undecided };
}
