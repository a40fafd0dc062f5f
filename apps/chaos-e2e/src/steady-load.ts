/** One chat request of a load run and how it ended. */
export interface LoadCall {
  readonly id: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** HTTP status, 0 when the connection failed. */
  readonly status: number;
  /** Error text of a non-200 answer or the connection failure. */
  readonly error: string;
}

/** A running load: clients sending chat completions back to back until stopped. */
export interface SteadyLoad {
  /** Calls finished so far. */
  calls(): readonly LoadCall[];
  /** Calls sent so far (finished or in flight). */
  sent(): number;
  /** Stops sending; resolves when every call in flight has ended. */
  stop(): Promise<readonly LoadCall[]>;
}

/** Options for {@link startSteadyLoad}. */
export interface SteadyLoadOptions {
  readonly gatewayUrl: string;
  readonly apiKey: string;
  /** Concurrent clients. @default 4 */
  readonly clients?: number;
  /** Prefix of each request's `x-request-id` (`<prefix>-<n>`), so the warehouse can be checked id by id. */
  readonly idPrefix: string;
  /** @default a short question */
  readonly content?: (n: number) => string;
  /** Per-call client timeout. @default 20000 */
  readonly timeoutMs?: number;
}

/**
 * Steady chat traffic through the gateway's OpenAI endpoint (non-streaming), each request with its
 * own `x-request-id`, each outcome kept: what clients saw while something was being broken.
 */
export function startSteadyLoad(options: SteadyLoadOptions): SteadyLoad {
  const calls: LoadCall[] = [];
  let next = 0;
  let running = true;
  const one = async (n: number): Promise<LoadCall> => {
    const id = `${options.idPrefix}-${n}`;
    const startedAt = Date.now();
    try {
      const res = await fetch(`${options.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json', 'x-request-id': id },
        body: JSON.stringify({ model: 'auto', max_tokens: 8, messages: [{ role: 'user', content: options.content?.(n) ?? `Question ${n}: name a colour.` }] }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
      });
      const text = await res.text();
      return { id, startedAt, endedAt: Date.now(), status: res.status, error: res.status === 200 ? '' : text.slice(0, 300) };
    } catch (err) {
      return { id, startedAt, endedAt: Date.now(), status: 0, error: (err as Error).message };
    }
  };
  const workers = Array.from({ length: options.clients ?? 4 }, async () => {
    while (running) calls.push(await one(next++));
  });
  return {
    calls: () => calls,
    sent: () => next,
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return calls;
    },
  };
}

/** Statuses of `calls` as "200×41, 503×2, conn×1". */
export function describeStatuses(calls: readonly LoadCall[]): string {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c.status === 0 ? 'conn' : String(c.status), (counts.get(c.status === 0 ? 'conn' : String(c.status)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s}×${n}`).join(', ') || 'none';
}
