// `/ecs alerts`: what the notifications do here (routes, open incidents, mutes), and
// `/ecs alerts mute|unmute <cluster/service or alarm/NAME>` in the channel the command came from,
// recording who muted.
import { IncidentConfigCache, loadIncidentConfig } from "../aws/incident-config.ts";
import { type IncidentsStore, incidentsStore } from "../aws/incidents-store.ts";
import type { CommandCall } from "../domain/answer.ts";
import { muteFor, parseDuration } from "../domain/incidents/mute.ts";
import type { AlertsAnswer, AlertTarget, RoutesRead } from "../render/alerts-document.ts";
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
/** A CloudWatch alarm's name: 1 to 255 characters, no control characters (and, typed, no spaces). */
const ALARM = /^[^\s\p{Cc}]{1,255}$/u;
const ECHO_MAX = 60;

function invalid(args: string, reason: string): AlertsAnswer {
  return { kind: "invalid", query: cutPlain(args, ECHO_MAX, "…"), reason };
}

/**
 * "cluster/service" or "alarm/NAME" → the target and the end of the incident keys it names
 * (keys are account/region/cluster/service and account/region/alarm/NAME); undefined otherwise.
 */
function targetOf(text: string | undefined): { target: AlertTarget; tail: string } | undefined {
  const typed = text ?? "";
  if (typed.toLowerCase().startsWith("alarm/")) {
    const alarm = typed.slice("alarm/".length);
    return ALARM.test(alarm) ? { target: { alarm }, tail: `alarm/${alarm}` } : undefined;
  }
  const [cluster, service, ...rest] = typed.split("/");
  if (rest.length || !cluster || !service || !NAME.test(cluster) || !NAME.test(service)) {
    return undefined;
  }
  return { target: { cluster, service }, tail: `${cluster}/${service}` };
}

/** Whether an incident key (account/region/…) ends with `tail`: any account and region. */
const keyEndsWith = (key: string, tail: string) => key.split("/").slice(2).join("/") === tail;

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
  const named = targetOf(target);
  if (!named) {
    return invalid(args, `${action} takes a service as cluster/service or an alarm as alarm/NAME`);
  }
  if (extra.length || (action === "unmute" && duration !== undefined)) {
    const takes = action === "mute" ? "a service or alarm and a duration" : "a service or alarm";
    return invalid(args, `${action} takes ${takes} only`);
  }
  const parsed = action === "mute" ? parseDuration(duration ?? "") : { seconds: 0 };
  if ("error" in parsed) return invalid(args, parsed.error);
  if (!place.channel) {
    return invalid(args, `${action} works in a Slack channel: a mute belongs to one channel`);
  }
  if (!deps.store) return { kind: "no-table" };
  const channel = place.channel;
  const { target: what, tail } = named;
  if (action === "mute") {
    // As the Mute 1 h button: each open incident of the service or alarm (one per account and
    // region) that reached this channel, with who muted it.
    const keys = (await deps.store.openIncidents(now))
      .filter((s) => keyEndsWith(s.key, tail) && s.incident?.channels[channel] !== undefined)
      .map((s) => s.key);
    if (keys.length === 0) return { kind: "none", target: what, action };
    const mutes = keys.map((key) => muteFor(key, channel, parsed.seconds, now, place.user));
    for (const mute of mutes) await deps.store.mute(mute);
    const until = mutes[0]?.until ?? "";
    return { kind: "muted", target: what, channel, until, count: keys.length };
  }
  const keys = (await deps.store.mutes(now))
    .filter((m) => m.channel === channel && keyEndsWith(m.key, tail))
    .map((m) => m.key);
  if (keys.length === 0) return { kind: "none", target: what, action };
  for (const key of keys) await deps.store.unmute(key, channel);
  return { kind: "unmuted", target: what, channel, count: keys.length };
}
