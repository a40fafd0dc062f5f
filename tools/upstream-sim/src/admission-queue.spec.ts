import { createAdmissionQueue } from './admission-queue.ts';

describe('createAdmissionQueue', () => {
  it('runs up to maxConcurrency and queues the rest in order', async () => {
    const queue = createAdmissionQueue(1);
    const signal = new AbortController().signal;
    const first = await queue.acquire('m', 10, signal);
    const order: string[] = [];
    const second = queue.acquire('m', 5, signal).then((slot) => (order.push('second'), slot));
    const third = queue.acquire('n', 5, signal).then((slot) => (order.push('third'), slot));
    expect([queue.running(), queue.waiting()]).toEqual([1, 2]);
    expect(queue.loadByModel().get('m')).toEqual({ running: 1, waiting: 1, kvTokens: 10 });
    first.addTokens(3);
    expect(queue.loadByModel().get('m')?.kvTokens).toBe(13);
    first.release();
    first.release(); // idempotent
    (await second).release();
    (await third).release();
    expect(order).toEqual(['second', 'third']);
    expect([queue.running(), queue.waiting()]).toEqual([0, 0]);
    expect(queue.loadByModel().get('m')).toEqual({ running: 0, waiting: 0, kvTokens: 0 });
  });

  it('drops a waiter whose signal aborts, without leaking the waiting count', async () => {
    const queue = createAdmissionQueue(1);
    const held = await queue.acquire('m', 1, new AbortController().signal);
    const leaving = new AbortController();
    const waiting = queue.acquire('m', 1, leaving.signal);
    expect(queue.waiting()).toBe(1);
    leaving.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
    expect(queue.waiting()).toBe(0);
    expect(queue.loadByModel().get('m')?.waiting).toBe(0);
    held.release();
    expect(queue.running()).toBe(0);
  });

  it('admits everything when unlimited', async () => {
    const queue = createAdmissionQueue();
    const signal = new AbortController().signal;
    await Promise.all([1, 2, 3].map(() => queue.acquire('m', 1, signal)));
    expect([queue.running(), queue.waiting()]).toEqual([3, 0]);
  });
});
