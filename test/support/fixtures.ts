import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/;
const dir = fileURLToPath(new URL("../fixtures/", import.meta.url));

function raw(name: string): unknown {
  return JSON.parse(readFileSync(`${dir}${name}`, "utf8"));
}

function mapTimestamps(value: unknown, to: (iso: string) => unknown): unknown {
  if (typeof value === "string" && ISO.test(value)) return to(value);
  if (Array.isArray(value)) return value.map((v) => mapTimestamps(v, to));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapTimestamps(v, to)]));
  }
  return value;
}

/** AWS's published CLI examples carry timestamps as epoch seconds in members named *At / *Date. */
function epochToDates(value: unknown, key = ""): unknown {
  if (typeof value === "number" && /(At|Date)$/.test(key)) return new Date(value * 1000);
  if (Array.isArray(value)) return value.map((v) => epochToDates(v));
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, epochToDates(v, k)]));
  }
  return value;
}

/** A fixture as the SDK hands it to our code: timestamps (ISO or epoch seconds) are Dates. */
export function sdkFixture<T>(name: string): T {
  return epochToDates(mapTimestamps(raw(name), (iso) => new Date(iso))) as T;
}

/**
 * A fixture as it travels on the wire: the fixtures are CLI renderings with ISO timestamps,
 * but the JSON protocols carry epoch seconds (the SDK rejects strings there).
 */
export function wireFixture(name: string): Record<string, unknown> {
  return mapTimestamps(raw(name), (iso) => Date.parse(iso) / 1000) as Record<string, unknown>;
}
