import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { awsContext, clearSharedCache } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderText } from "../../src/render/text.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

// A burst of users asking the same thing in one container (Socket Mode, or the lookups of one
// request) shares each AWS read that is in flight: five identical questions cost what one does.

let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
const ask = (text: string) => runEcsCommand(text, () => awsContext("ap-northeast-1"));

beforeAll(async () => {
  aws = await useEmulatedAws(undefined, 50);
});
afterAll(async () => {
  await aws.stop();
});
beforeEach(() => {
  clearSharedCache();
  aws.emulator.resetStats();
});

describe("identical lookups at the same time", () => {
  it.each([
    "whois nginx.service-connect",
    "health api.service-connect",
    "traffic nginx.service-connect",
  ])(
    "%s asked five times at once costs the AWS calls of one, with five whole answers",
    async (text) => {
      await ask(text);
      const alone = aws.emulator.stats().total;
      clearSharedCache();
      aws.emulator.resetStats();

      const answers = await Promise.all(Array.from({ length: 5 }, () => ask(text)));

      expect(aws.emulator.stats().total).toBe(alone);
      // The same answer for all (each stamped with its own "As of", left out here).
      const texts = answers.map((a) => renderText({ ...a.doc, asOf: undefined }));
      for (const text of texts) expect(text).toBe(texts[0]);
    },
  );
});
