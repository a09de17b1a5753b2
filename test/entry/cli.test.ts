import { afterEach, describe, expect, it, vi } from "vitest";
import { logger } from "../../src/aws/logger.ts";
import { main } from "../../src/entry/cli.ts";

afterEach(() => {
  vi.restoreAllMocks();
  logger.setLogLevel("INFO");
});

describe("the terminal", () => {
  it("shows the answer and no JSON log line", async () => {
    // Prepare
    const printed: string[] = [];
    const consoleLines = vi.fn();
    for (const level of ["log", "info", "warn", "error"] as const) {
      vi.spyOn(console, level).mockImplementation(consoleLines);
    }
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);

    // Act
    const code = await main(["--help"], {
      out: (t) => printed.push(t),
      err: (t) => printed.push(t),
    });
    logger.warn("a line the terminal must not show");

    // Assess
    expect(code).toBe(0);
    expect(printed.join("")).toContain("usage: ecs-chatops");
    expect(consoleLines).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
  });
});
