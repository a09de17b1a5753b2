// The fleet modules in one import, for importers outside emulator/ that have not moved to
// emulator/fleet/* yet. New code imports the module that holds the name.

export { loadDemoFleet } from "./fleet/demo.ts";
export { taskStateChangeEvents } from "./fleet/events.ts";
export { type GenerateFleetOptions, generateFleet } from "./fleet/generate.ts";
export {
  generateIncidentFleet,
  type IncidentFleetOptions,
  type IncidentState,
} from "./fleet/incidents.ts";
export { relocateFleet } from "./fleet/relocate.ts";
export type * from "./fleet/types.ts";
