import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import type { Fleet } from "../../emulator/fleet/types.ts";
import {
  type EmulatorOptions,
  type RunningEmulator,
  startEmulator,
} from "../../emulator/server.ts";
import { callLog } from "../../src/aws/call-log.ts";
import { forgetAwsClients } from "../../src/aws/clients.ts";
import { clearSharedCache } from "../../src/commands/reads/aws-context.ts";

/**
 * Emulated latency for tests that count sequential round trips: one wave's requests count as one
 * round trip only if each starts before another of the wave has been answered, and on a loaded
 * 2-core runner the client's own work between two requests of a wave (a cold SDK client,
 * signing) has exceeded 30 ms, which made such counts flaky. The counts asserted do not change.
 */
export const ROUND_TRIP_MS = 150;

/**
 * Starts the loopback emulator and points the process's real SDK clients at it through the
 * SDK's standard AWS_ENDPOINT_URL, exactly as the demo does. Returns a stop function.
 */
export async function useEmulatedAws(
  fleet: Fleet = loadDemoFleet(),
  latencyMs = 0,
  options: Partial<EmulatorOptions> = {},
) {
  const emulator: RunningEmulator = await startEmulator({ ...options, fleet, latencyMs });
  process.env.AWS_ENDPOINT_URL = emulator.url;
  forgetAwsClients();
  clearSharedCache();
  callLog.reset();
  return {
    emulator,
    async stop() {
      delete process.env.AWS_ENDPOINT_URL;
      forgetAwsClients();
      clearSharedCache();
      await emulator.close();
    },
  };
}
