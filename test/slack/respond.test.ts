import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { postToResponseUrl } from "../../src/slack/respond.ts";

// An answer posted to a command's response_url: only ever to Slack, saying how it is shown.

const PATH = "/commands/T0001EXAMPLE/1234567890123/abcdefghijklmnopqrstuvwx";
const message = { text: "answer", blocks: [] };

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("postToResponseUrl", () => {
  it("posts the message as JSON with its visibility and whether it replaces the original", async () => {
    let posted: unknown;
    const slack = nock("https://hooks.slack.com")
      .post(PATH, (body) => {
        posted = body;
        return true;
      })
      .matchHeader("content-type", "application/json")
      .reply(200, "ok");

    await postToResponseUrl(`https://hooks.slack.com${PATH}`, message, {
      responseType: "in_channel",
      replaceOriginal: false,
    });

    expect(slack.isDone()).toBe(true);
    expect(posted).toEqual({
      response_type: "in_channel",
      replace_original: false,
      text: "answer",
      blocks: [],
    });
  });

  it.each([
    ["another host", "https://hooks.example.com/commands/x"],
    ["plain HTTP", `http://hooks.slack.com${PATH}`],
    ["no URL at all", "not a url"],
  ])("refuses %s without sending anything", async (_name, url) => {
    await expect(
      postToResponseUrl(url, message, { responseType: "ephemeral", replaceOriginal: true }),
    ).rejects.toThrow("response_url is not a Slack hooks URL");
  });

  it("fails with Slack's status when Slack refuses the post", async () => {
    nock("https://hooks.slack.com").post(PATH).reply(404, "expired_url");

    await expect(
      postToResponseUrl(`https://hooks.slack.com${PATH}`, message, {
        responseType: "ephemeral",
        replaceOriginal: true,
      }),
    ).rejects.toThrow("response_url answered 404");
  });
});
