// What the emulator's server and fault tests share: SDK clients on an emulator, and one emulator
// for the length of a test.

import { ECSClient } from "@aws-sdk/client-ecs";
import { Route53Client } from "@aws-sdk/client-route-53";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import { type RunningEmulator, startEmulator } from "../../emulator/server.ts";

export const credentials = { accessKeyId: "demo", secretAccessKey: "demo" };
export const region = "ap-northeast-1";

export function clients(emu: RunningEmulator, maxAttempts = 3) {
  const config = { region, endpoint: emu.url, credentials, maxAttempts };
  return {
    ecs: new ECSClient(config),
    cloudMap: new ServiceDiscoveryClient({ ...config, disableHostPrefix: true }),
    route53: new Route53Client(config),
  };
}

export async function withEmulator<T>(
  options: Omit<Parameters<typeof startEmulator>[0], "fleet">,
  body: (emu: RunningEmulator) => Promise<T>,
): Promise<T> {
  const emu = await startEmulator({ fleet: loadDemoFleet(), ...options });
  try {
    return await body(emu);
  } finally {
    await emu.close();
  }
}
