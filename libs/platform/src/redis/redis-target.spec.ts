import { z } from 'zod';
import { describeRedisTarget, parseRedisTarget, redisTargetSchema } from './redis-target.ts';

describe('parseRedisTarget', () => {
  it('keeps redis:// and rediss:// URLs as they are', () => {
    expect(parseRedisTarget('redis://:pw@10.0.0.5:6380/2')).toEqual({ kind: 'server', url: 'redis://:pw@10.0.0.5:6380/2' });
    expect(parseRedisTarget('rediss://cache.internal:6379')).toEqual({ kind: 'server', url: 'rediss://cache.internal:6379' });
  });

  it('reads sentinels, the primary name, passwords and TLS from redis+sentinel:// URLs', () => {
    expect(parseRedisTarget('redis+sentinel://s1:26379,s2:26379,[::1]:26380/sophia')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'sophia',
      tls: false,
    });
    expect(parseRedisTarget('rediss+sentinel://:p%40ss@s1:26379/main?sentinelPassword=sp')).toEqual({
      kind: 'sentinel',
      sentinels: [{ host: 's1', port: 26379 }],
      name: 'main',
      password: 'p@ss',
      sentinelPassword: 'sp',
      tls: true,
    });
  });

  it('reads seed nodes and a password from redis+cluster:// URLs', () => {
    expect(parseRedisTarget('rediss+cluster://:pw@n1:7000,n2:7001')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
      password: 'pw',
      tls: true,
    });
    expect(() => parseRedisTarget('redis+cluster://n1')).toThrow("cluster node address 'n1' is not host:port");
    expect(describeRedisTarget(parseRedisTarget('redis+cluster://:pw@n1:7000,n2:7001'))).toBe('cluster nodes n1:7000, n2:7001');
  });

  it('says what is wrong', () => {
    expect(() => parseRedisTarget('http://x:6379')).toThrow('expected redis://host:port');
    expect(() => parseRedisTarget('redis+sentinel://s1:26379')).toThrow('expected redis://host:port');
    expect(() => parseRedisTarget('redis+sentinel://s1/sophia')).toThrow("sentinel address 's1' is not host:port");
    expect(() => parseRedisTarget('redis+sentinel://s1:99999/sophia')).toThrow("'s1:99999' is not host:port");
    expect(() => parseRedisTarget('redis+sentinel://s1:1/sophia?db=2')).toThrow("unknown parameter 'db'");
  });

  it('is a zod field whose issue names the problem, and describes a target without its password', () => {
    const schema = z.object({ SOPHIA_REDIS_URL: redisTargetSchema.optional() });
    const bad = schema.safeParse({ SOPHIA_REDIS_URL: 'redis+sentinel://:secret@s1/x' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['SOPHIA_REDIS_URL'], message: "sentinel address 's1' is not host:port" });
    expect(JSON.stringify(bad.error?.issues)).not.toContain('secret');
    expect(describeRedisTarget(parseRedisTarget('redis://:secret@db:6379'))).toBe('db:6379');
    expect(describeRedisTarget(parseRedisTarget('redis+sentinel://:secret@a:1,[::1]:2/main'))).toBe("primary 'main' via sentinels a:1, [::1]:2");
  });
});
