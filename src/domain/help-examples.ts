import type { Namespace } from "./facts.ts";

/**
 * The names `/ecs help` shows in its examples: the user's own, never the demo fleet's. Each is a
 * real name read from the fleet, or a placeholder in angle brackets when nothing was read.
 */
export interface HelpExamples {
  /** A name clients use (a Service Connect alias or a Cloud Map DNS name). */
  name: string;
  /** A second name, for `why CLIENT TARGET`: a service the user can name. */
  client: string;
  /** A namespace (or cluster) to scope a digest to. */
  scope: string;
  /** Whether any example is a real name of this fleet. */
  fromFleet: boolean;
}

const PLACEHOLDERS: HelpExamples = {
  name: "<service>.<namespace>",
  client: "<cluster>/<service>",
  scope: "<cluster or namespace>",
  fromFleet: false,
};

/**
 * Examples from what is at hand: the namespaces (one cached read) and, when a search already
 * loaded them, the names clients use. A namespace alone gives a digest scope and the shape of a
 * name in it; the service part stays a placeholder rather than a guess.
 */
export function helpExamples(
  namespaces: readonly Namespace[],
  knownNames: readonly string[] = [],
  services: readonly { cluster: string; name: string }[] = [],
): HelpExamples {
  const namespace = [...namespaces].sort(byHttpFirst)[0];
  const name =
    knownNames.find((n) => namespace && n.endsWith(`.${namespace.name}`)) ??
    knownNames.find((n) => n.includes("."));
  const client = services[0];
  if (!namespace && !name && !client) return PLACEHOLDERS;
  return {
    name: name ?? (namespace ? `<service>.${namespace.name}` : PLACEHOLDERS.name),
    client: client ? `${client.cluster}/${client.name}` : PLACEHOLDERS.client,
    scope: namespace?.name ?? client?.cluster ?? PLACEHOLDERS.scope,
    fromFleet: true,
  };
}

// Service Connect namespaces first: their aliases are what most services call.
const byHttpFirst = (a: Namespace, b: Namespace) =>
  Number(b.type === "HTTP") - Number(a.type === "HTTP") || a.name.localeCompare(b.name);
