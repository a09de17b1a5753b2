/** Splits ids into API-sized batches (DescribeServices takes 10, DescribeTasks 100). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Drains one of the SDK's paginators into a flat list. */
export async function collect<P, T>(pages: AsyncIterable<P>, pick: (page: P) => T[] | undefined) {
  const out: T[] = [];
  for await (const page of pages) out.push(...(pick(page) ?? []));
  return out;
}
