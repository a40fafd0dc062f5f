// Where the mesh's Redis is, from one configuration value (SOPHIA_REDIS_URL): a single server
// (`redis://` / `rediss://`, as ioredis takes it) or a Sentinel-managed primary
// (`redis+sentinel://[:password@]host:port[,host:port…]/primary-name[?sentinelPassword=…]`, `rediss+sentinel://`
// for TLS), so failover is found by asking the sentinels rather than by a fixed address. No ioredis here:
// parsing and validation only (connect-redis.ts connects).
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
    };

const SENTINEL = /^(rediss?)\+sentinel:\/\/(?:([^@/]*)@)?([^/?#]+)\/([^/?#]+)\/?(?:\?([^#]*))?$/;

function hostPort(text: string): RedisHostPort {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || !(port >= 1 && port <= 65_535)) throw new Error(`sentinel address '${text}' is not host:port`);
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
  const match = SENTINEL.exec(text);
  if (!match) {
    throw new Error('expected redis://host:port, rediss://…, or redis+sentinel://host:port[,host:port…]/primary-name');
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
  const hosts = target.sentinels.map((s) => (s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`));
  return `primary '${target.name}' via sentinels ${hosts.join(', ')}`;
}
