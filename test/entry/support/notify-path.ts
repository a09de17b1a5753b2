// The notification path's test rig: the incidents table on dynalite, Slack's Web API on nock
// (every chat call recorded, a post answered with a new ts), the routes to one channel, and the
// clock at each event's own time.
import nock from "nock";
import { afterEach, beforeEach, vi } from "vitest";
import { parse } from "yaml";
import { type IncidentConfig, IncidentConfigCache } from "../../../src/aws/incident-config.ts";
import { dynamoIncidentsStore } from "../../../src/aws/incidents-store.ts";
import { forgetOwnDynamo } from "../../../src/aws/own-dynamo.ts";
import { routesFrom } from "../../../src/domain/incidents/routes.ts";
import type { NotifyDeps } from "../../../src/entry/notify.ts";
import { IncidentPoster } from "../../../src/slack/incident-poster.ts";
import type { Event } from "../../domain/incidents/events.ts";
import { type RunningDynalite, useDynalite } from "../../support/dynalite.ts";
import { recordSlackChat, type SlackCall } from "../../support/slack-chat.ts";
import { BOT_TOKEN } from "../../support/slack-lambda.ts";

export const TABLE = "incidents";
export const CHANNEL = "C0OPS000001";
export const KEY = "111122223333/us-west-2/default/servicetest";

export type { SlackCall };

const T0 = Date.parse("2020-05-23T12:30:00Z");
/** The time `s` seconds into the tests' incident. */
export const time = (s: number) => new Date(T0 + s * 1000).toISOString();

/** EventBridge's tick of a schedule rule (EventBridge User Guide, "scheduled events"). */
export const tick = (at: string) => ({
  version: "0",
  id: `tick-${at}`,
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "111122223333",
  time: at,
  region: "us-west-2",
  resources: ["arn:aws:events:us-west-2:111122223333:rule/ecs-chatops-dev-notify-flush"],
  detail: {},
});

/** Slack's chat calls, recorded in `calls`; `delayMs` makes each answer that late. */
export const slackApi = recordSlackChat;

/** Routes every incident to CHANNEL. */
export const ROUTES = `routes:\n  - channel: ${CHANNEL}\n`;

/**
 * The notify function's dependencies: `routes` (ROUTES unless given), Slack calls retried
 * `retries` times (none unless given); `load` counts the config reads.
 */
export function notifyDeps(
  load = vi.fn(),
  { routes = ROUTES, retries = 0 }: { routes?: string; retries?: number } = {},
): NotifyDeps {
  const config: IncidentConfig = { botToken: BOT_TOKEN, routes: routesFrom("p", routes, parse) };
  load.mockResolvedValue(config);
  return {
    store: dynamoIncidentsStore(TABLE),
    config: new IncidentConfigCache(load),
    slack: (token) => new IncidentPoster(token, { retries }),
    now: (event) => new Date(String((event as Event).time)),
  };
}

export const summary = (c: SlackCall) => `${c.method}${c.thread_ts ? " (thread)" : ""} ${c.text}`;

let dynamo: RunningDynalite | undefined;

/** Replaces the incidents table (as serverless.yml declares it) with an empty one. */
export async function freshIncidentsTable(): Promise<void> {
  await dynamo?.stop();
  dynamo = await useDynalite(TABLE, "IncidentsTable");
}

/**
 * Each test of the file gets a fresh incidents table and no network but loopback and nock;
 * returns the list Slack's calls are recorded in (emptied before each test).
 */
export function useNotifyPath(): SlackCall[] {
  const calls: SlackCall[] = [];
  beforeEach(async () => {
    await freshIncidentsTable();
    forgetOwnDynamo();
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    calls.length = 0;
  });
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    vi.restoreAllMocks();
    forgetOwnDynamo();
    await dynamo?.stop();
    dynamo = undefined;
  });
  return calls;
}
