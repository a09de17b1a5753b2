import { distance } from "fastest-levenshtein";

/**
 * The known names closest to what was typed. "ngnix" is compared with each name and with its
 * first label, so it finds nginx.service-connect through "nginx".
 */
export function closestNames(typed: string, known: readonly string[], limit = 3): string[] {
  const query = typed.toLowerCase();
  const scored = [...new Set(known)].map((name) => {
    const lower = name.toLowerCase();
    const head = lower.split(/[.:/]/)[0] ?? lower;
    const tail = lower.split("/").pop() ?? lower;
    return {
      name,
      score: Math.min(distance(query, lower), distance(query, head), distance(query, tail)),
    };
  });
  const threshold = Math.max(2, Math.floor(query.length / 3));
  return scored
    .filter((s) => s.score <= threshold)
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((s) => s.name);
}
