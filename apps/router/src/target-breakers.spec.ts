import { Code, ConnectError } from '@connectrpc/connect';
import { BreakerOpenError, createTargetBreakers } from './target-breakers.ts';

const unavailable = () => new ConnectError('upstream 503', Code.Unavailable);
const settings = { volumeThreshold: 100, errorThresholdPercentage: 50, resetTimeoutMs: 60_000, rollingWindowMs: 10_000 };

describe('target breakers', () => {
  it('open after 3 failures in a row, counting failures after the first token', async () => {
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

  it('open when a failure run lasts failingForMs, before the third failure', () => {
    let now = 1000;
    const b = createTargetBreakers({ ...settings, failingForMs: 1000, clock: () => now });
    b.recordFailure('gpu:m', unavailable());
    now += 999;
    b.recordFailure('gpu:m', unavailable());
    expect(b.state('gpu:m')).toBe('closed');
    b.recordSuccess('gpu:m');
    b.recordFailure('gpu:m', unavailable());
    now += 1000;
    b.recordFailure('gpu:m', unavailable());
    expect(b.state('gpu:m')).toBe('open');
    b.shutdown();
  });

  it('a complete answer ends the run; client errors and stale failures never count', () => {
    let now = 0;
    const b = createTargetBreakers({ ...settings, clock: () => now });
    b.recordFailure('serverless:m', unavailable());
    b.recordFailure('serverless:m', unavailable());
    b.recordSuccess('serverless:m');
    b.recordFailure('serverless:m', unavailable());
    b.recordFailure('serverless:m', new ConnectError('bad', Code.InvalidArgument));
    expect(b.state('serverless:m')).toBe('closed');
    now += 20_000; // older than the rolling window: a new run starts
    b.recordFailure('serverless:m', unavailable());
    expect(b.snapshot()[0]?.consecutiveFailures).toBe(1);
    expect(b.state('serverless:m')).toBe('closed');
    b.shutdown();
  });

  it('forgets the failures that opened it once a half-open probe closes it (no flapping)', async () => {
    const b = createTargetBreakers({ volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 20, rollingWindowMs: 10_000 });
    for (let i = 0; i < 3; i++) await b.fire('t', () => Promise.reject(unavailable())).catch(() => undefined);
    expect(b.state('t')).toBe('open');
    while (b.state('t') !== 'half_open') await new Promise((r) => setTimeout(r, 5));
    await b.fire('t', () => Promise.resolve(1));
    b.recordSuccess('t');
    expect(b.state('t')).toBe('closed');
    await b.fire('t', () => Promise.reject(unavailable())).catch(() => undefined);
    expect(b.state('t')).toBe('closed');
    expect(b.snapshot()[0]).toMatchObject({ failures: 1, fires: 1 });
    b.shutdown();
  });
});
