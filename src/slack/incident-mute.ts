// The Mute 1 h button of an incident's message (action `ecs_mute`, value `KEY 1h`, the incident's
// key account/region/cluster/service): keeps that incident out of the clicked channel for the
// duration. A message posted before the key was in the value says `CLUSTER/SERVICE 1h`: then
// the mute goes to each open incident of that cluster and service that reached the channel. The
// clicker gets an ephemeral answer.
import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
} from "@slack/bolt";
import type { IncidentsStore } from "../aws/incidents-store.ts";
import { muteFor, parseDuration } from "../domain/incidents/mute.ts";
import { escapeMrkdwn } from "../render/escape.ts";
import { MUTE_ACTION_ID } from "../render/incident-document.ts";
import { ACK_DEADLINE_MS, arrivalOf } from "./budget.ts";
import { postToResponseUrl } from "./respond.ts";
import { receivedAt } from "./slash-command.ts";

/** Left of the ack deadline for the answer's own post. */
const ANSWER_MS = 500;

export const MUTE_BUTTON = MUTE_ACTION_ID;

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** Stores the mutes a click asks for; returns the sentence the clicker reads. */
export async function muteFromButton(
  value: string,
  channel: string | undefined,
  user: string,
  store: Pick<IncidentsStore, "openIncidents" | "mute">,
  now = new Date(),
): Promise<string> {
  const [target = "", duration = ""] = value.trim().split(/\s+/);
  const parts = target.split("/");
  // Names of ECS clusters and services hold no "/": 4 parts are a key, 2 a cluster and service.
  const exact = parts.length === 4;
  const [cluster = "", service = ""] = exact ? parts.slice(2) : parts;
  const parsed = parseDuration(duration);
  if ((parts.length !== 2 && !exact) || !service || "error" in parsed || !channel) {
    return `Could not mute: "${escapeMrkdwn(value)}" is not a service and a duration.`;
  }
  const keys = (await store.openIncidents(now))
    .filter(
      (s) =>
        (exact
          ? s.key === target
          : s.subject.cluster === cluster && s.subject.service === service) &&
        s.incident?.channels[channel] !== undefined,
    )
    .map((s) => s.key);
  if (keys.length === 0) return `No open incident of ${service} in this channel to mute.`;
  for (const key of keys) await store.mute(muteFor(key, channel, parsed.seconds, now, user));
  const until = muteFor(keys[0] ?? "", channel, parsed.seconds, now).until.slice(11, 16);
  return `Muted ${service} (${cluster}) in this channel until ${until} UTC, by <@${user}>.`;
}

/** What the clicker reads when the mute is not known to be kept in time. */
export const MUTE_LATE =
  "The mute was not confirmed in time (the incidents table answered slowly): check with /ecs alerts, and mute again if it is not listed.";

/**
 * The listener; `store` gives undefined where the Slack function has no INCIDENTS_TABLE. On
 * Lambda the click's 200 leaves only when the listener returns: the store's reads and writes and
 * the answer are all bounded by Slack's ack deadline, and a failure is told, never only logged.
 */
export function incidentMuteButton(store: () => Promise<IncidentsStore | undefined>) {
  return async ({ ack, body, action, logger, context }: ButtonArgs) => {
    await ack();
    const deadline = arrivalOf(receivedAt(context)) + ACK_DEADLINE_MS;
    // The answer needs a moment of its own after the store's work.
    const late = (ms: number) =>
      new Promise<string>((resolve) => setTimeout(resolve, Math.max(1, ms), MUTE_LATE).unref());
    let text: string;
    try {
      const work = (async () => {
        const incidents = await store();
        return incidents
          ? await muteFromButton(action.value ?? "", body.channel?.id, body.user.id, incidents)
          : "Mutes are not kept by this deployment (no INCIDENTS_TABLE).";
      })();
      work.catch(() => undefined);
      text = await Promise.race([work, late(deadline - ANSWER_MS - Date.now())]);
    } catch (error) {
      logger.error("mute could not be stored", error);
      text = "The mute could not be stored: the incidents table could not be read or written.";
    }
    try {
      await postToResponseUrl(
        body.response_url,
        { text, blocks: [] },
        {
          responseType: "ephemeral",
          replaceOriginal: false,
          signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
        },
      );
    } catch (error) {
      // The response_url is all a click has: nothing else can reach the clicker here.
      logger.error("mute answer could not be posted", error);
    }
  };
}
