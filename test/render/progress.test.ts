import { describe, expect, it } from "vitest";
import { progressLine, progressMessage } from "../../src/render/progress.ts";

// The line that stands in for a slow digest while it reads.

describe("progressLine", () => {
  it("says the services are being listed before any cluster is read", () => {
    expect(progressLine({ scope: "every cluster" })).toBe(
      "Digest of every cluster: listing the services…",
    );
  });

  it("counts the clusters read, then the services judged", () => {
    expect(progressLine({ scope: "tutorial", clusters: { done: 3, total: 8 } })).toBe(
      "Digest of tutorial: clusters 3/8 read…",
    );
    expect(
      progressLine({
        scope: "tutorial",
        clusters: { done: 8, total: 8 },
        services: { done: 12, total: 40 },
      }),
    ).toBe("Digest of tutorial: clusters 8/8 read, services 12/40 judged…");
  });
});

describe("progressMessage", () => {
  it("shows the line under an hourglass, escaping the scope the user typed", () => {
    const message = progressMessage({ scope: "<!channel> & co" });

    expect(message.text).toBe("Digest of &lt;!channel&gt; &amp; co: listing the services…");
    expect(message.blocks).toEqual([
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: `:hourglass_flowing_sand: ${message.text}` }],
      },
    ]);
  });
});
