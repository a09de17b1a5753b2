import { afterAll, beforeAll, beforeEach } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import type { Fleet } from "../../emulator/fleet/types.ts";
import type { EmulatorOptions, RunningEmulator } from "../../emulator/server.ts";
import { clearSharedCache } from "../../src/commands/reads/aws-context.ts";
import { useEmulatedAws } from "./emulated-aws.ts";

/** The emulator that a test file's (or a describe block's) tests share. */
export interface EmulatorPerFile {
  /** The running emulator (read it inside a test: it exists from the file's start). */
  readonly emulator: RunningEmulator;
  /**
   * Starts it again after `stop`: on the file's fleet and options, or for a while on another
   * fleet or with more options (over the file's own).
   */
  start(instead?: { fleet?: Fleet; options?: Partial<EmulatorOptions> }): Promise<void>;
  stop(): Promise<void>;
}

/** What the file's emulator serves, when not the demo fleet as it is. */
export interface EmulatorPerFileSetup {
  /** The fleet, made afresh at each start (default: the demo fleet). */
  fleet?: () => Fleet;
  /** Options of every start, e.g. `now`, the clock of the synthetic CloudWatch series. */
  options?: Partial<EmulatorOptions>;
}

/**
 * Starts the demo fleet (or `setup.fleet`) on the loopback emulator before the file's (or the
 * describe block's) tests and stops it after; each test starts with an empty shared cache, fresh
 * stats and requests, nothing denied and nothing throttled.
 */
export function useEmulatorPerFile(setup: EmulatorPerFileSetup = {}): EmulatorPerFile {
  let running: Awaited<ReturnType<typeof useEmulatedAws>> | undefined;
  const aws: EmulatorPerFile = {
    get emulator() {
      if (!running) throw new Error("the file's emulator is not running");
      return running.emulator;
    },
    async start(instead = {}) {
      const fleet = instead.fleet ?? setup.fleet?.() ?? loadDemoFleet();
      running = await useEmulatedAws(fleet, 0, { ...setup.options, ...instead.options });
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
    // A block that stopped the file's emulator for one of its own has nothing to reset.
    if (!running) return;
    aws.emulator.resetStats();
    aws.emulator.setDenied([]);
    aws.emulator.setThrottleRate(0);
  });
  return aws;
}
