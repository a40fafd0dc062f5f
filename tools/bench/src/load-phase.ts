import { Pool } from 'undici';
import { summarize, type LatencyStats } from './latency-stats.ts';

/** One HTTP request shape for a load phase. */
export interface LoadTarget {
  readonly origin: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Closed-loop load: `concurrency` workers each send the request back to back until `requests`
 * have completed; every response body is read in full. Returns latency percentiles and RPS.
 */
export async function runLoadPhase(target: LoadTarget, options: { concurrency: number; requests: number }): Promise<LatencyStats> {
  const pool = new Pool(target.origin, { connections: options.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (issued < options.requests) {
      issued += 1;
      const t0 = performance.now();
      try {
        const res = await pool.request({ method: 'POST', path: target.path, headers: target.headers, body: target.body });
        const text = await res.body.text();
        if (res.statusCode !== 200 || text.length === 0) errors += 1;
        else latencies.push(performance.now() - t0);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const wall = performance.now() - started;
  await pool.close();
  return summarize(latencies, errors, wall);
}
