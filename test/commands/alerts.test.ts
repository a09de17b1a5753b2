import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { dynamoIncidentsStore, type IncidentsStore } from "../../src/aws/incidents-store.ts";
import { forgetOwnDynamo } from "../../src/aws/own-dynamo.ts";
import { type AlertsDeps, alerts } from "../../src/commands/alerts.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { classify } from "../../src/domain/incidents/classify.ts";
import { type IncidentState, step } from "../../src/domain/incidents/machine.ts";
import { muteFor } from "../../src/domain/incidents/mute.ts";
import { routesFrom } from "../../src/domain/incidents/routes.ts";
import { alertsDocument } from "../../src/render/alerts-document.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import { renderText } from "../../src/render/text.ts";
import { oomStop, sample } from "../domain/incidents/events.ts";
import { type RunningDynalite, useDynalite } from "../support/dynalite.ts";

// `/ecs alerts` against a real (local) incidents table: what is open, what is muted, and the mute
// and unmute a channel asks for. Without a table the answer is "unknown", never "no incidents".

const TABLE = "incidents";
const CHANNEL = "C0OPS000001";
const now = new Date("2026-12-06T10:30:00Z");
const opened = new Date("2026-12-06T10:00:00Z");

function openIncident(): IncidentState {
  const result = step(
    undefined,
    classify(oomStop({ task: "a", id: "a", time: opened.toISOString() })),
    { now: opened, channels: [CHANNEL], mutes: [] },
  );
  if (!result.state) throw new Error("no state");
  return result.state;
}

const ROUTES = `routes:
  - name: ops
    channel: ${CHANNEL}
  - name: broken
    match:
      severity: loud
`;

let dynamo: RunningDynalite;
let store: IncidentsStore;
let state: IncidentState;
let deps: AlertsDeps;
beforeEach(async () => {
  // The incidents table as serverless.yml declares it.
  dynamo = await useDynalite(TABLE, "IncidentsTable");
  forgetOwnDynamo();
  store = dynamoIncidentsStore(TABLE);
  state = openIncident();
  await store.put(state, 0, opened);
  await store.mute(muteFor("111122223333/us-west-2/other/api", CHANNEL, 3600, now, "U0ME"));
  deps = { store, routes: async () => routesFrom("/p", ROUTES, parse), now };
});
afterEach(async () => {
  forgetOwnDynamo();
  await dynamo.stop();
});

/** The summary (Slack's notification line) and the text answer. */
async function text(
  args: string,
  channel: string | null = CHANNEL,
  user?: string,
): Promise<string> {
  const call = { ...(channel ? { channel } : {}), ...(user ? { user } : {}) };
  const doc = alertsDocument(await alerts(args, call, deps));
  return `${doc.summary}\n${renderText(doc)}`;
}

const serviceOfState = () => `${state.subject.cluster}/${state.subject.service}`;

describe("/ecs alerts", () => {
  it("lists the routes with their errors by field, the open incident and the mute", async () => {
    const out = await text("");
    expect(out).toContain("1 route (2 errors)");
    expect(out).toContain("1 open incident, 1 mute");
    expect(out).toContain(`ops → ${CHANNEL}`);
    expect(out).toContain("skipped: routes[1].match.severity: must be one of error, warning");
    expect(out).toContain(state.subject.service as string);
    expect(out).toContain("since 2026-12-06 10:00 UTC (30 min)");
    expect(out).toContain(`in ${CHANNEL}`);
    expect(out).toContain(`api (other) in ${CHANNEL} until 2026-12-06 11:30 UTC (by @U0ME)`);
  });

  it("names who muted as a Slack mention, never as a raw ID, in the Slack answer", async () => {
    const blocks = JSON.stringify(
      renderBlocks(alertsDocument(await alerts("", { channel: CHANNEL }, deps)), { view: "full" }),
    );

    expect(blocks).toContain("(by <@U0ME>)");
    expect(blocks).not.toContain("(by U0ME)");
  });

  it("mutes the service's open incident in the channel the command came from, then unmutes it", async () => {
    expect(await text(`mute ${serviceOfState()} 30m`)).toContain(
      "in this channel until 2026-12-06 11:00 UTC",
    );
    expect((await store.mutes(now)).map((m) => [m.key, m.channel])).toContainEqual([
      state.key,
      CHANNEL,
    ]);
    expect(await text("")).toContain(`in ${CHANNEL} (muted)`);
    expect(await text(`unmute ${serviceOfState()}`)).toContain("Unmuted");
    expect((await store.mutes(now)).map((m) => m.key)).not.toContain(state.key);
    expect(await text(`unmute ${serviceOfState()}`)).toContain("is not muted in this channel");
  });

  it("mutes nothing where the service has no open incident in this channel", async () => {
    expect(await text(`mute ${serviceOfState()} 1h`, "C0ELSEWHERE")).toContain(
      "No open incident of",
    );
  });

  it("refuses a bad duration, a bad service and an unknown verb with the usage, escaped", async () => {
    const bad = await text(`mute ${serviceOfState()} forever`);
    expect(bad).toContain('"forever" is not a duration');
    expect(bad).toContain("Usage: /ecs alerts");
    expect(await text("mute web 1h")).toContain(
      "mute takes a service as cluster/service or an alarm as alarm/NAME",
    );
    expect(await text(`mute ${serviceOfState()} 8d`)).toContain("longer than a week");
    const html = alertsDocument(await alerts("<!channel> now", { channel: CHANNEL }, deps));
    expect(html.summary).toContain("is not mute or unmute");
    expect((await store.mutes(now)).length).toBe(1);
  });

  it("records who muted from the command, and the list names them", async () => {
    const said = alertsDocument(
      await alerts(`mute ${serviceOfState()} 30m`, { channel: CHANNEL, user: "U0ONCALL" }, deps),
    );
    expect(said.summary).toContain("Muted servicetest (default) in this channel until");
    const mute = (await store.mutes(now)).find((m) => m.key === state.key);
    expect(mute?.by).toBe("U0ONCALL");
    expect(await text("")).toContain(
      `servicetest (default) in ${CHANNEL} until 2026-12-06 11:00 UTC (by @U0ONCALL)`,
    );
  });

  it("mutes and unmutes an alarm's incident as alarm/NAME", async () => {
    const alarm = step(
      undefined,
      classify({
        ...sample("cloudwatch-alarm-state-change-single-metric"),
        time: opened.toISOString(),
      }),
      {
        now: opened,
        channels: [CHANNEL],
        mutes: [],
      },
    ).state;
    if (!alarm) throw new Error("no alarm incident");
    expect(alarm.key).toBe("123456789012/us-east-1/alarm/ServerCpuTooHigh");
    await store.put(alarm, 0, opened);

    expect(await text("mute alarm/ServerCpuTooHigh 1h", CHANNEL, "U0ONCALL")).toContain(
      "Muted alarm ServerCpuTooHigh in this channel until 2026-12-06 11:30 UTC",
    );
    const mutes = await store.mutes(now);
    expect(mutes.find((m) => m.key === alarm.key)).toMatchObject({
      channel: CHANNEL,
      by: "U0ONCALL",
    });
    // The service's own incident is not muted with it.
    expect(mutes.map((m) => m.key)).not.toContain(state.key);
    expect(await text("")).toContain(`alarm ServerCpuTooHigh in ${CHANNEL} until`);

    expect(await text("unmute alarm/ServerCpuTooHigh")).toContain(
      "Unmuted alarm ServerCpuTooHigh in this channel",
    );
    expect((await store.mutes(now)).map((m) => m.key)).not.toContain(alarm.key);
    expect(await text("unmute alarm/ServerCpuTooHigh")).toContain(
      "alarm ServerCpuTooHigh is not muted in this channel",
    );
    expect(await text("mute alarm/Other 1h")).toContain(
      "No open incident of alarm Other in this channel",
    );
    expect(await text("mute alarm/ 1h")).toContain(
      "mute takes a service as cluster/service or an alarm as alarm/NAME",
    );
    // An alarm name is echoed to Slack escaped: no mention, no link.
    const loud = alertsDocument(
      await alerts("mute alarm/<!channel> 1h", { channel: CHANNEL }, deps),
    );
    expect(loud.summary).toBe("No open incident of alarm <!channel> in this channel to mute.");
    expect(JSON.stringify(renderBlocks(loud))).not.toContain("<!channel>");
  });

  it("refuses to mute without a channel (the CLI)", async () => {
    expect(await text(`mute ${serviceOfState()} 1h`, null)).toContain(
      "mute works in a Slack channel",
    );
  });

  it("says notifications are not set up where there is no incidents table: unknown, not none", async () => {
    deps.store = undefined;
    const out = await text("");
    expect(out).toContain("Notifications are not set up here (no incidents table)");
    expect(out).not.toContain("No open incident");
    expect(await text(`mute ${serviceOfState()} 1h`)).toContain("no incidents table");
  });

  it("says when the routes could not be read, and still lists incidents", async () => {
    deps.routes = async () => ({ unread: "AccessDeniedException" });
    const out = await text("");
    expect(out).toContain("routes unread");
    expect(out).toContain("The routes could not be read: AccessDeniedException");
    expect(out).toContain("1 open incident");
  });

  it("is dispatched by the router, where (no INCIDENTS_TABLE) it asks nothing of AWS", async () => {
    const noAws = () => {
      throw new Error("no AWS read expected");
    };
    const out = await runEcsCommand("alerts", noAws, () => now, { channel: CHANNEL });
    expect(out.command).toBe("alerts");
    expect(out.doc.summary).toContain("not set up here (no incidents table)");
  });

  it("refreshes and shares a mute as the list of alerts, never as the mute again", async () => {
    const noAws = () => {
      throw new Error("no AWS read expected");
    };
    const out = await runEcsCommand("alerts mute tutorial/api 1h", noAws, () => now, {
      channel: CHANNEL,
    });
    expect(out.doc.command).toBe("alerts");
  });
});
