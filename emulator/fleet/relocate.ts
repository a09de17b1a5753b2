// A fleet in another account and region, for multi-account demos and tests.

import type { Fleet } from "./types.ts";

/**
 * The same fleet in another account and region: every ARN, account ID, region and availability
 * zone rewritten, as the same stack deployed there would be.
 */
export function relocateFleet(fleet: Fleet, accountId: string, region: string): Fleet {
  const text = JSON.stringify(fleet)
    .replaceAll(fleet.accountId, accountId)
    .replaceAll(fleet.region, region);
  return JSON.parse(text) as Fleet;
}
