import { describe, expect, it } from "vitest";
import type { CommandOutput } from "../../src/commands/router.ts";
import {
  ACK_DEADLINE_MS,
  answerOrDefer,
  arrivalOf,
  HandoverError,
  withinBudget,
} from "../../src/slack/budget.ts";
import type { UnsealedJob } from "../../src/slack/deferred-job.ts";

// The one rule of every Slack entry point: answer inline within the budget, counted from the
// request's arrival, else hand the job over before Slack's deadline.

const output: CommandOutput = { command: "whois", doc: { summary: "s", sections: [], notes: [] } };
const quick = async () => output;
const never = () => new Promise<CommandOutput>(() => undefined);
const job = { command: "whois nginx" } as UnsealedJob;

describe("arrivalOf", () => {
  const now = 1_000_000;

  it("counts from API Gateway's receipt time", () => {
    expect(arrivalOf(now - 800, now)).toBe(now - 800);
  });

  it("never counts from before Slack's deadline, nor from the future, nor from nothing", () => {
    expect(arrivalOf(now - 60_000, now)).toBe(now - ACK_DEADLINE_MS);
    expect(arrivalOf(now + 5_000, now)).toBe(now);
    expect(arrivalOf(undefined, now)).toBe(now);
    expect(arrivalOf(Number.NaN, now)).toBe(now);
  });
});

describe("withinBudget", () => {
  it("gives up waiting at the budget when it can defer", async () => {
    expect(await withinBudget(never, "whois nginx", 10, true)).toEqual({ done: false });
  });

  it("waits as long as it takes when it cannot defer", async () => {
    const slow = () => new Promise<CommandOutput>((r) => setTimeout(() => r(output), 40));

    expect(await withinBudget(slow, "whois nginx", 5, false)).toEqual({ done: true, output });
  });
});

describe("answerOrDefer", () => {
  const base = { text: "whois nginx", mustDefer: false, job: () => job };

  it("answers inline when the lookup comes in time, handing nothing over", async () => {
    const delivered: CommandOutput[] = [];
    const handed: UnsealedJob[] = [];

    const how = await answerOrDefer({
      ...base,
      run: quick,
      defer: async (j) => {
        handed.push(j);
      },
      arrivedAt: Date.now(),
      budgetMs: 1_000,
      inline: async (o) => {
        delivered.push(o);
      },
    });

    expect([how, delivered, handed]).toEqual(["inline", [output], []]);
  });

  it("counts the budget from arrival: a request that waited out its budget is handed over at once", async () => {
    const handed: UnsealedJob[] = [];

    const how = await answerOrDefer({
      ...base,
      run: never,
      defer: async (j) => {
        handed.push(j);
      },
      arrivedAt: Date.now() - 2_000,
      budgetMs: 2_000,
      inline: async () => undefined,
    });

    expect([how, handed]).toEqual(["deferred", [job]]);
  });

  it("hands work that must follow the answer over without running it here", async () => {
    let ran = false;

    const how = await answerOrDefer({
      ...base,
      mustDefer: true,
      run: async () => {
        ran = true;
        return output;
      },
      defer: async () => undefined,
      arrivedAt: Date.now(),
      budgetMs: 1_000,
      inline: async () => undefined,
    });

    expect([how, ran]).toEqual(["deferred", false]);
  });

  it("gives the hand-over a deadline and turns its failure into a HandoverError", async () => {
    let signal: AbortSignal | undefined;
    const cause = new Error("Invoke failed");

    const failing = answerOrDefer({
      ...base,
      mustDefer: true,
      run: quick,
      defer: async (_j, s) => {
        signal = s;
        throw cause;
      },
      arrivedAt: Date.now(),
      budgetMs: 1_000,
      inline: async () => undefined,
    });

    await expect(failing).rejects.toBeInstanceOf(HandoverError);
    await expect(failing).rejects.toMatchObject({ cause });
    expect(signal?.aborted).toBe(false);
  });
});
