import { Pool, type Dispatcher } from 'undici';

/** Options for the keep-alive pool kept per upstream origin. */
export interface UpstreamDispatcherOptions {
  /** TCP (+TLS) connect timeout. @default 2000 */
  connectTimeoutMs?: number;
  /** Max sockets per origin. @default 128 */
  connections?: number;
  /** How long an idle socket is kept. @default 30000 */
  keepAliveTimeoutMs?: number;
}

const pools = new Map<string, Pool>();

/**
 * Returns the shared keep-alive `Pool` for an origin (one per origin and connect timeout), so
 * every request reuses warm sockets: a new TCP handshake per call would eat the mesh's
 * overhead budget on its own. Idle sockets do not keep the process alive.
 */
export function getUpstreamDispatcher(baseUrl: string | URL, options: UpstreamDispatcherOptions = {}): Dispatcher {
  const origin = new URL(baseUrl).origin;
  const connectTimeout = options.connectTimeoutMs ?? 2000;
  const key = `${origin}|${connectTimeout}|${options.connections ?? 128}|${options.keepAliveTimeoutMs ?? 30000}`;
  let pool = pools.get(key);
  if (pool === undefined || pool.closed || pool.destroyed) {
    pool = new Pool(origin, {
      connections: options.connections ?? 128,
      connect: { timeout: connectTimeout },
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30000,
      // Timeouts are enforced per call by streamChatCompletion (TTFT, stall, total).
      headersTimeout: 0,
      bodyTimeout: 0,
      pipelining: 1,
    });
    pools.set(key, pool);
  }
  return pool;
}

/**
 * Closes every shared pool (in-flight requests are destroyed). For graceful shutdown and for
 * tests that must leave no sockets behind.
 */
export async function closeUpstreamDispatchers(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((pool) => pool.destroy().catch(() => undefined)));
}
