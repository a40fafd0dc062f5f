import { Code, ConnectError } from '@connectrpc/connect';
import { BreakerOpenError, createTargetBreakers } from './target-breakers.ts';

const unavailable = () => new ConnectError('upstream 503', Code.Unavailable);
const settings = { volumeThreshold: 100, errorThresholdPercentage: 50, resetTimeoutMs: 60_000, rollingWindowMs: 10_000 };

describe('target breakers', () => {
  it('open at the 3rd failure within 1 s of a dead upstream, counting failures after the first token', async () => {
    const b = createTargetBreakers(settings);
    await expect(b.fire('serverless:m', () => Promise.reject(unavailable()))).rejects.toThrow(/503/);
    b.recordFailure('serverless:m', unavailable());
    expect(b.state('serverless:m')).toBe('closed');
    b.recordFailure('serverless:m', unavailable());
    expect(b.state('serverless:m')).toBe('open');
    await expect(b.fire('serverless:m', () => Promise.resolve(1))).rejects.toBeInstanceOf(BreakerOpenError);
    expect(b.snapshot()).toEqual([expect.objectContaining({ target: 'serverless:m', state: 'open', consecutiveFailures: 3 })]);
    b.shutdown();
  });

  it('cut off an upstream whose streams open and then always break', async () => {
    const b = createTargetBreakers(settings);
    for (let i = 0; i < 3; i++) {
      await b.fire('gpu:m', () => Promise.resolve(1));
      b.recordFailure('gpu:m', unavailable());
    }
    expect(b.state('gpu:m')).toBe('open');
    b.shutdown();
  });

  it('stay closed under a 30 % failure rate at load (fallback handles it)', async () => {
    let now = 0;
    const b = createTargetBreakers({ ...settings, clock: () => now });
    for (let i = 0; i < 1000; i++) {
      now += 20; // 50 requests/s
      const fail = i % 10 >= 7; // failures come three in a row: the worst case for a streak rule
      await b.fire('serverless:m', () => (fail ? Promise.reject(unavailable()) : Promise.resolve(1))).catch(() => undefined);
    }
    expect(b.state('serverless:m')).toBe('closed');
    b.shutdown();
  });

  it('stay closed when a burst of concurrent calls sees fast failures before slow successes', async () => {
    const b = createTargetBreakers(settings);
    const slowOk = () => new Promise<number>((resolve) => setTimeout(() => resolve(1), 20));
    const calls = Array.from({ length: 16 }, (_, i) => b.fire('serverless:m', () => (i % 10 < 3 ? Promise.reject(unavailable()) : slowOk())).catch(() => undefined));
    await Promise.all(calls);
    expect(b.state('serverless:m')).toBe('closed');
    b.shutdown();
  });

  it('open when two failures in a row span failingForMs (a slow dead upstream)', () => {
    let now = 1000;
    const b = createTargetBreakers({ ...settings, failingForMs: 1000, clock: () => now });
    b.recordFailure('gpu:m', unavailable());
    now += 999;
    expect(b.state('gpu:m')).toBe('closed');
    now += 1;
    b.recordFailure('gpu:m', unavailable());
    expect(b.state('gpu:m')).toBe('open');
    b.shutdown();
  });

  it('never count client errors', async () => {
    const b = createTargetBreakers(settings);
    const bad = () => new ConnectError('bad', Code.InvalidArgument);
    for (let i = 0; i < 5; i++) {
      await b.fire('serverless:m', () => Promise.reject(bad())).catch(() => undefined);
      b.recordFailure('serverless:m', bad());
    }
    expect(b.state('serverless:m')).toBe('closed');
    expect(b.snapshot()[0]?.consecutiveFailures).toBe(0);
    b.shutdown();
  });

  it('forgets the failures that opened it once a half-open probe closes it (no flapping)', async () => {
    const b = createTargetBreakers({ volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 20, rollingWindowMs: 10_000, failingForMs: 1 });
    for (let i = 0; i < 3; i++) await b.fire('t', () => Promise.reject(unavailable())).catch(() => undefined);
    expect(b.state('t')).toBe('open');
    while (b.state('t') !== 'half_open') await new Promise((r) => setTimeout(r, 5));
    await b.fire('t', () => Promise.resolve(1));
    expect(b.state('t')).toBe('closed');
    await new Promise((r) => setTimeout(r, 5)); // past the fast window
    await b.fire('t', () => Promise.reject(unavailable())).catch(() => undefined);
    expect(b.state('t')).toBe('closed');
    expect(b.snapshot()[0]).toMatchObject({ failures: 1, fires: 1 });
    b.shutdown();
  });
  it('reports every state change with the state it left, in order', async () => {
    const seen: string[] = [];
    const b = createTargetBreakers({
      volumeThreshold: 3,
      errorThresholdPercentage: 50,
      resetTimeoutMs: 20,
      rollingWindowMs: 10_000,
      failingForMs: 1,
      onTransition: (target, from, to) => seen.push(`${target} ${from}->${to}`),
    });
    for (let i = 0; i < 3; i++) await b.fire('t', () => Promise.reject(unavailable())).catch(() => undefined);
    while (b.state('t') !== 'half_open') await new Promise((r) => setTimeout(r, 5));
    await b.fire('t', () => Promise.resolve(1));
    expect(seen).toEqual(['t closed->open', 't open->half_open', 't half_open->closed']);
    b.shutdown();
  });
});
