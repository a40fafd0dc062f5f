import { Code, ConnectError } from '@connectrpc/connect';
import type { EndpointLease, EndpointPool } from '../../endpoint-pool.ts';
import { createCapacityWaiter } from './capacity-waiter.ts';

const lease: EndpointLease = { url: 'http://10.0.0.1:8000', release: () => undefined };

function poolThat(acquire: () => EndpointLease): EndpointPool {
  return { acquire, snapshot: () => [] } as unknown as EndpointPool;
}
const none = (): EndpointLease => {
  throw new ConnectError('no healthy GPU endpoint for model m', Code.Unavailable);
};

describe('createCapacityWaiter', () => {
  it('fails at once, as the pool does, when nothing is booting', async () => {
    const acquire = createCapacityWaiter({ pool: poolThat(none), booting: () => [], maxWaitMs: 60_000, pollMs: 1 });
    await expect(acquire('m', new AbortController().signal)).rejects.toMatchObject({ code: Code.Unavailable, rawMessage: 'no healthy GPU endpoint for model m' });
  });

  it('waits for a booting instance to join the pool', async () => {
    let ready = false;
    const acquire = createCapacityWaiter({ pool: poolThat(() => (ready ? lease : none())), booting: () => [{ id: 'i1', launchedAt: 0 }], maxWaitMs: 60_000, pollMs: 1 });
    const pending = acquire('m', new AbortController().signal);
    setTimeout(() => (ready = true), 20);
    await expect(pending).resolves.toBe(lease);
  });

  it('ends the wait with DEADLINE_EXCEEDED naming the boot when the caller aborts', async () => {
    const controller = new AbortController();
    const acquire = createCapacityWaiter({ pool: poolThat(none), booting: () => [{ id: 'i1', launchedAt: 0 }], maxWaitMs: 60_000, pollMs: 5, now: () => 3000 });
    const pending = acquire('m', controller.signal);
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toMatchObject({ code: Code.DeadlineExceeded, rawMessage: expect.stringContaining('i1 launched 3 s ago') });
  });

  it('gives up after the cap with UNAVAILABLE, and when the boot disappears', async () => {
    let t = 0;
    const capped = createCapacityWaiter({ pool: poolThat(none), booting: () => [{ id: 'i1', launchedAt: 0 }], maxWaitMs: 10, pollMs: 1, now: () => (t += 4) });
    await expect(capped('m', new AbortController().signal)).rejects.toMatchObject({ code: Code.Unavailable, rawMessage: expect.stringContaining('still booting') });
    let boots = [{ id: 'i1', launchedAt: 0 }];
    const vanished = createCapacityWaiter({ pool: poolThat(none), booting: () => boots, maxWaitMs: 60_000, pollMs: 1 });
    const pending = vanished('m', new AbortController().signal);
    setTimeout(() => (boots = []), 10);
    await expect(pending).rejects.toMatchObject({ code: Code.Unavailable, rawMessage: 'no healthy GPU endpoint for model m' });
  });
});
