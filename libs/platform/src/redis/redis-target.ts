// Where the mesh's Redis is, from one configuration value (SOPHIA_REDIS_URL): a single server
// (`redis://` / `rediss://`, as ioredis takes it), a Sentinel-managed primary
// (`redis+sentinel://[:password@]host:port[,host:port…]/primary-name[?sentinelPassword=…]`), so failover is
// found by asking the sentinels rather than by a fixed address, or a Redis Cluster
// (`redis+cluster://[:password@]host:port[,host:port…]`, any reachable nodes; the rest are discovered).
// `rediss+…` means TLS. No ioredis here: parsing and validation only (connect-redis.ts connects).
import { z } from 'zod';

/** One host:port. */
export interface RedisHostPort {
  readonly host: string;
  readonly port: number;
}

/** A parsed SOPHIA_REDIS_URL. */
export type RedisTarget =
  | { readonly kind: 'server'; readonly url: string }
  | {
      readonly kind: 'sentinel';
      readonly sentinels: ReadonlyArray<RedisHostPort>;
      /** The monitored primary's name (`sentinel monitor <name> …`). */
      readonly name: string;
      readonly password?: string;
      readonly sentinelPassword?: string;
      readonly tls: boolean;
    }
  | {
      readonly kind: 'cluster';
      /** Seed nodes; the client discovers the others. */
      readonly nodes: ReadonlyArray<RedisHostPort>;
      readonly password?: string;
      readonly tls: boolean;
    };

const CLUSTER = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]+)\/?$/;
const SENTINEL = /^(rediss?)\+sentinel:\/\/(?:([^@/]*)@)?([^/?#]+)\/([^/?#]+)\/?(?:\?([^#]*))?$/;

function hostPort(text: string, what = 'sentinel'): RedisHostPort {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || !(port >= 1 && port <= 65_535)) throw new Error(`${what} address '${text}' is not host:port`);
  return { host: match[1] ?? match[2]!, port };
}

/** Parses SOPHIA_REDIS_URL; throws an Error saying what is wrong (never echoing a password). */
export function parseRedisTarget(text: string): RedisTarget {
  if (/^rediss?:\/\//.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new Error('not a valid redis:// URL');
    }
    if (url.hostname === '') throw new Error('the URL names no host');
    return { kind: 'server', url: text };
  }
  const cluster = CLUSTER.exec(text);
  if (cluster) {
    const [, scheme, userinfo, hosts] = cluster;
    const password = userinfo === undefined ? undefined : decodeURIComponent(userinfo.slice(userinfo.indexOf(':') + 1));
    return {
      kind: 'cluster',
      nodes: hosts!.split(',').map((h) => hostPort(h.trim(), 'cluster node')),
      ...(password ? { password } : {}),
      tls: scheme === 'rediss',
    };
  }
  const match = SENTINEL.exec(text);
  if (!match) {
    throw new Error('expected redis://host:port, rediss://…, redis+sentinel://host:port[,host:port…]/primary-name or redis+cluster://host:port[,host:port…]');
  }
  const [, scheme, userinfo, hosts, name, query] = match;
  const sentinels = hosts!.split(',').map((h) => hostPort(h.trim()));
  const password = userinfo === undefined ? undefined : decodeURIComponent(userinfo.slice(userinfo.indexOf(':') + 1));
  const params = new URLSearchParams(query ?? '');
  for (const key of params.keys()) if (key !== 'sentinelPassword') throw new Error(`unknown parameter '${key}' (only sentinelPassword)`);
  const sentinelPassword = params.get('sentinelPassword') ?? undefined;
  return {
    kind: 'sentinel',
    sentinels,
    name: decodeURIComponent(name!),
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    tls: scheme === 'rediss',
  };
}

/** Zod field for SOPHIA_REDIS_URL: the raw string in, a {@link RedisTarget} out, a precise issue otherwise. */
export const redisTargetSchema = z.string().transform((text, ctx): RedisTarget => {
  try {
    return parseRedisTarget(text.trim());
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** Where a target points, for logs and errors: hosts and the primary's name, never a password. */
export function describeRedisTarget(target: RedisTarget): string {
  if (target.kind === 'server') {
    const url = new URL(target.url);
    return url.host;
  }
  const list = (nodes: ReadonlyArray<RedisHostPort>): string => nodes.map((n) => (n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`)).join(', ');
  if (target.kind === 'cluster') return `cluster nodes ${list(target.nodes)}`;
  return `primary '${target.name}' via sentinels ${list(target.sentinels)}`;
}
