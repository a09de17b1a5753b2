import { afterAll, beforeAll, beforeEach } from "vitest";
import type { Fleet } from "../../emulator/fleet/types.ts";
import type { RunningEmulator } from "../../emulator/server.ts";
import { clearSharedCache } from "../../src/commands/reads/aws-context.ts";
import { useEmulatedAws } from "./emulated-aws.ts";

/** The demo fleet's emulator that a test file's tests share. */
export interface EmulatorPerFile {
  /** The running emulator (read it inside a test: it exists from the file's start). */
  readonly emulator: RunningEmulator;
  /** Starts it again after `stop` (a test that needs another emulator for a while). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the demo fleet (or `fleet`'s) on the loopback emulator before the file's tests and stops it after; each
 * test starts with an empty shared cache, fresh stats, nothing denied and nothing throttled.
 */
export function useEmulatorPerFile(fleet?: () => Fleet): EmulatorPerFile {
  let running: Awaited<ReturnType<typeof useEmulatedAws>> | undefined;
  const aws: EmulatorPerFile = {
    get emulator() {
      if (!running) throw new Error("the file's emulator is not running");
      return running.emulator;
    },
    async start() {
      running = await useEmulatedAws(fleet?.());
    },
    async stop() {
      await running?.stop();
      running = undefined;
    },
  };
  beforeAll(async () => {
    await aws.start();
  });
  afterAll(async () => {
    await aws.stop();
  });
  beforeEach(() => {
    clearSharedCache();
    aws.emulator.resetStats();
    aws.emulator.setDenied([]);
    aws.emulator.setThrottleRate(0);
  });
  return aws;
}
