// `/ecs alerts`: what the notifications do here (routes, open incidents, mutes), and
// `/ecs alerts mute|unmute <cluster/service>` in the channel the command came from.
import { IncidentConfigCache, loadIncidentConfig } from "../aws/incident-config.ts";
import { type IncidentsStore, incidentsStore } from "../aws/incidents-store.ts";
import type { CommandCall } from "../domain/answer.ts";
import { muteFor, parseDuration } from "../domain/incidents/mute.ts";
import type { AlertsAnswer, RoutesRead } from "../render/alerts-document.ts";
import { cutPlain } from "../render/escape.ts";

export interface AlertsDeps {
  /** Undefined where no INCIDENTS_TABLE is set (the CLI, the demo): state unknown. */
  store: Pick<IncidentsStore, "openIncidents" | "mutes" | "mute" | "unmute"> | undefined;
  routes: () => Promise<RoutesRead>;
  now?: Date;
}

// Only the routes: the answer never needs the bot token, so none is read (the stand-in keeps
// loadIncidentConfig from asking for one). Kept a minute, as the notify function keeps them.
const routesCache = new IncidentConfigCache(() =>
  loadIncidentConfig({
    DIGEST_TARGETS_PARAM: process.env.DIGEST_TARGETS_PARAM,
    SLACK_BOT_TOKEN: "not-read",
  }),
);

async function deployedRoutes(): Promise<RoutesRead> {
  try {
    return (await routesCache.get()).config.routes;
  } catch (error) {
    return { unread: error instanceof Error ? error.message : String(error) };
  }
}

export const deployedAlerts = (): AlertsDeps => ({
  store: incidentsStore(),
  routes: deployedRoutes,
});

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;
const ECHO_MAX = 60;

function invalid(args: string, reason: string): AlertsAnswer {
  return { kind: "invalid", query: cutPlain(args, ECHO_MAX, "…"), reason };
}

/** "cluster/service" → its parts; undefined when it is not that. */
function serviceOf(text: string | undefined): { cluster: string; service: string } | undefined {
  const [cluster, service, ...rest] = (text ?? "").split("/");
  if (rest.length || !cluster || !service || !NAME.test(cluster) || !NAME.test(service)) {
    return undefined;
  }
  return { cluster, service };
}

export async function alerts(
  args: string,
  place: CommandCall,
  deps: AlertsDeps = deployedAlerts(),
): Promise<AlertsAnswer> {
  const now = deps.now ?? new Date();
  const [verb = "", target, duration, ...extra] = args.trim().split(/\s+/).filter(Boolean);
  const action = verb.toLowerCase();
  if (action !== "" && action !== "mute" && action !== "unmute") {
    return invalid(args, `"${cutPlain(verb, ECHO_MAX, "…")}" is not mute or unmute`);
  }
  if (action === "") {
    if (!deps.store) return { kind: "no-table" };
    const [incidents, mutes, routes] = await Promise.all([
      deps.store.openIncidents(now),
      deps.store.mutes(now),
      deps.routes(),
    ]);
    return { kind: "list", routes, incidents, mutes, now };
  }
  const named = serviceOf(target);
  if (!named) return invalid(args, `${action} takes a service as cluster/service`);
  if (extra.length || (action === "unmute" && duration !== undefined)) {
    const takes = action === "mute" ? "a service and a duration" : "a service";
    return invalid(args, `${action} takes ${takes} only`);
  }
  const parsed = action === "mute" ? parseDuration(duration ?? "") : { seconds: 0 };
  if ("error" in parsed) return invalid(args, parsed.error);
  if (!place.channel) {
    return invalid(args, `${action} works in a Slack channel: a mute belongs to one channel`);
  }
  if (!deps.store) return { kind: "no-table" };
  const channel = place.channel;
  if (action === "mute") {
    // As the Mute 1 h button: each open incident of the service (one per account and region)
    // that reached this channel.
    const keys = (await deps.store.openIncidents(now))
      .filter(
        (s) =>
          s.subject.cluster === named.cluster &&
          s.subject.service === named.service &&
          s.incident?.channels[channel] !== undefined,
      )
      .map((s) => s.key);
    if (keys.length === 0) return { kind: "none", ...named, action };
    const mutes = keys.map((key) => muteFor(key, channel, parsed.seconds, now));
    for (const mute of mutes) await deps.store.mute(mute);
    return { kind: "muted", ...named, channel, until: mutes[0]?.until ?? "", count: keys.length };
  }
  // Incident keys are account/region/cluster/service.
  const keys = (await deps.store.mutes(now))
    .filter((m) => {
      const [, , cluster, service] = m.key.split("/");
      return m.channel === channel && cluster === named.cluster && service === named.service;
    })
    .map((m) => m.key);
  if (keys.length === 0) return { kind: "none", ...named, action };
  for (const key of keys) await deps.store.unmute(key, channel);
  return { kind: "unmuted", ...named, channel, count: keys.length };
}
