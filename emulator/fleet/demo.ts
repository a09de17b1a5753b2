// The demo fleet (emulator/demo-fleet.json, described in README.md beside this file).

import { readFileSync } from "node:fs";
import type { Fleet } from "./types.ts";

/** A fresh copy of emulator/demo-fleet.json (callers may mutate it). */
export function loadDemoFleet(): Fleet {
  const text = readFileSync(new URL("../demo-fleet.json", import.meta.url), "utf8");
  return JSON.parse(text) as Fleet;
}
