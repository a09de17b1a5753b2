import nock from "nock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REFUSAL } from "../../../src/slack/access.ts";
import {
  blockActions,
  eventFixture,
  signedFormEvent,
  signedJsonEvent,
  slashCommand,
} from "../../support/slack-events.ts";
import { useSlackLambda } from "../../support/slack-lambda.ts";

// The bot shows internal IPs: with allowlists set, anyone else gets a polite refusal and the bot
// makes no AWS call at all (the emulator's counter stays at zero).

let lambda: Awaited<ReturnType<typeof useSlackLambda>>;

beforeAll(async () => {
  lambda = await useSlackLambda({
    ALLOWED_TEAM_IDS: "T0001EXAMPLE",
    ALLOWED_CHANNEL_IDS: "C2147483705,C0WARROOM01",
    ALLOWED_USER_IDS: "U2147483697",
    ALLOWED_USERGROUP_IDS: "S0ONCALL01",
  });
});
afterAll(() => lambda.stop());
beforeEach(() => {
  lambda.emulator.resetStats();
});

describe("access control", () => {
  it("serves a listed user in a listed channel of a listed workspace", async () => {
    const result = await lambda.invoke(
      signedFormEvent(slashCommand("whois nginx.service-connect")),
    );

    expect(result.body).toContain("2 of 2 endpoints healthy");
  });

  it.each([
    ["another workspace", { team_id: "T0OTHERTEAM" }],
    ["an unlisted channel", { channel_id: "C0RANDOM001" }],
  ])("refuses a command from %s politely, with no AWS call", async (_label, where) => {
    const result = await lambda.invoke(
      signedFormEvent(slashCommand("whois nginx.service-connect", where)),
    );

    expect(JSON.parse(result.body ?? "{}")).toEqual({ response_type: "ephemeral", text: REFUSAL });
    expect(lambda.emulator.stats().total).toBe(0);
  });

  it("serves a member of an allowed user group, and refuses someone in neither list", async () => {
    const groups = nock("https://slack.com")
      .post(
        "/api/usergroups.users.list",
        (body: Record<string, string>) => body.usergroup === "S0ONCALL01",
      )
      .reply(200, { ok: true, users: ["U0GROUPMEMBER"] });

    const member = await lambda.invoke(
      signedFormEvent(slashCommand("whois nginx.service-connect", { user_id: "U0GROUPMEMBER" })),
    );
    const stranger = await lambda.invoke(
      signedFormEvent(slashCommand("whois nginx.service-connect", { user_id: "U0STRANGER1" })),
    );

    expect(member.body).toContain("2 of 2 endpoints healthy");
    expect(JSON.parse(stranger.body ?? "{}").text).toBe(REFUSAL);
    // The group's members were read once and cached for the second request.
    expect(groups.isDone()).toBe(true);
  });

  it("refuses a button click from an unlisted channel with an ephemeral note and no AWS call", async () => {
    const note = nock("https://hooks.slack.com")
      .post(
        "/actions/T0001EXAMPLE/1234567890124/bcdefghijklmnopqrstuvwxy",
        (body: Record<string, string>) => body.text === REFUSAL,
      )
      .reply(200, "ok");
    const fields = blockActions("block-actions.health.json");
    const payload = JSON.parse(fields.payload ?? "{}");
    payload.channel.id = "C0RANDOM001";
    payload.container.channel_id = "C0RANDOM001";

    const result = await lambda.invoke(signedFormEvent({ payload: JSON.stringify(payload) }));

    expect(result.statusCode).toBe(200);
    expect(note.isDone()).toBe(true);
    expect(lambda.emulator.stats().total).toBe(0);
  });

  it("refuses a mention from an unlisted user with an ephemeral note and no AWS call", async () => {
    const note = nock("https://slack.com")
      .post(
        "/api/chat.postEphemeral",
        (body: Record<string, string>) => body.user === "U0STRANGER1" && body.text === REFUSAL,
      )
      .reply(200, { ok: true });
    nock("https://slack.com")
      .post("/api/usergroups.users.list")
      .optionally()
      .reply(200, { ok: true, users: ["U0GROUPMEMBER"] });
    const mention = eventFixture("event.app-mention.json", (p) => {
      (p.event as Record<string, unknown>).user = "U0STRANGER1";
    });

    await lambda.invoke(signedJsonEvent(mention));

    expect(note.isDone()).toBe(true);
    expect(lambda.emulator.stats().total).toBe(0);
  });

  it("escapes a name that tries to mention everyone, even from an allowed user", async () => {
    const result = await lambda.invoke(signedFormEvent(slashCommand("whois <!here|here>")));

    expect(result.body).not.toContain("<!here");
    expect(result.body).toContain("&lt;!here|here&gt;");
  });
});
