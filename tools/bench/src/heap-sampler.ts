// The live JS heap of a mesh process, read from its own /metrics (prom-client's default
// `nodejs_heap_size_used_bytes`), so a soak can say how much of a process's RSS is heap the program
// keeps and how much is garbage V8 has not collected yet or memory outside the heap. The lowest
// used heap over the steady part of a run is taken as the live heap (it is read right after a full
// collection) — what an old-space limit must leave room for.

/** Used JS heap in MiB from a Prometheus text exposition; undefined when the metric is absent. */
export function usedHeapMiBFrom(exposition: string): number | undefined {
  const match = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})?\s+([0-9.eE+]+)\s*$/m.exec(exposition);
  return match ? Number(match[1]) / 1_048_576 : undefined;
}

/** Used JS heap in MiB of the process serving `metricsUrl` (its /metrics); undefined when unreachable. */
export async function usedHeapMiB(metricsUrl: string): Promise<number | undefined> {
  const url = new URL(metricsUrl);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/metrics';
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok ? usedHeapMiBFrom(await res.text()) : undefined;
  } catch {
    return undefined;
  }
}
