import { Pool, type Dispatcher } from 'undici';

/**
 * Default sockets per upstream origin. A chat frontend's burst is hundreds of concurrent streams that
 * each hold a socket for seconds (HTTP/1.1 carries one stream per socket), and 128 made a 1,000-stream
 * burst wait in eight waves; 1,024 lets such a burst through while staying far below a process's file
 * limit. The in-flight limit (createAdmissionGate) is what bounds work; the pool must not be a second,
 * invisible queue.
 */
export const DEFAULT_UPSTREAM_CONNECTIONS = 1024;

/** Options for the keep-alive pool kept per upstream origin. */
export interface UpstreamDispatcherOptions {
  /** TCP (+TLS) connect timeout. @default 2000 */
  connectTimeoutMs?: number;
  /** Max sockets per origin. @default {@link DEFAULT_UPSTREAM_CONNECTIONS} */
  connections?: number;
  /** How long an idle socket is kept. @default 30000 */
  keepAliveTimeoutMs?: number;
  /** Offer HTTP/2 via ALPN (TLS origins only; plain http stays HTTP/1.1). @default false */
  allowH2?: boolean;
  /** Streams per HTTP/2 connection. @default 100 */
  maxConcurrentStreams?: number;
}

const pools = new Map<string, Pool>();

/**
 * Returns the shared keep-alive `Pool` for an origin (one per origin and option set), so every
 * request reuses warm sockets: a new TCP handshake per call would eat the mesh's overhead budget on
 * its own. Idle sockets do not keep the process alive.
 */
export function getUpstreamDispatcher(baseUrl: string | URL, options: UpstreamDispatcherOptions = {}): Dispatcher {
  const origin = new URL(baseUrl).origin;
  const connectTimeout = options.connectTimeoutMs ?? 2000;
  const connections = options.connections ?? DEFAULT_UPSTREAM_CONNECTIONS;
  const keepAliveTimeout = options.keepAliveTimeoutMs ?? 30000;
  const allowH2 = options.allowH2 === true && origin.startsWith('https:');
  const streams = options.maxConcurrentStreams ?? 100;
  const key = `${origin}|${connectTimeout}|${connections}|${keepAliveTimeout}|${allowH2}|${streams}`;
  let pool = pools.get(key);
  if (pool === undefined || pool.closed || pool.destroyed) {
    pool = new Pool(origin, {
      connections,
      connect: { timeout: connectTimeout },
      keepAliveTimeout,
      // Timeouts are enforced per call by streamChatCompletion (TTFT, stall, total).
      headersTimeout: 0,
      bodyTimeout: 0,
      pipelining: 1,
      ...(allowH2 ? { allowH2: true, maxConcurrentStreams: streams } : {}),
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
