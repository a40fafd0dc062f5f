import { createAdmissionGate, GateBusyError, GateWaitTimeoutError } from './admission-gate.ts';

describe('createAdmissionGate', () => {
  it('admits up to the limit, queues FIFO up to the queue limit, and refuses beyond it as busy', async () => {
    const waits: number[] = [];
    let clock = 0;
    const gate = createAdmissionGate({ name: 'p', limit: 2, queueLimit: 1, onWait: (ms) => waits.push(ms), now: () => clock });
    const a = await gate.acquire();
    await gate.acquire();
    const third = gate.acquire();
    expect([gate.inFlight(), gate.depth()]).toEqual([2, 1]);
    await expect(gate.acquire()).rejects.toBeInstanceOf(GateBusyError);
    clock = 250;
    a();
    a(); // idempotent
    await third;
    expect([gate.inFlight(), gate.depth(), waits]).toEqual([2, 0, [0, 0, 250]]);
  });

  it('bounds a wait by the caller’s budget and its abort signal, leaving the queue clean', async () => {
    const gate = createAdmissionGate({ name: 'p', limit: 1, queueLimit: 5 });
    const hold = await gate.acquire();
    await expect(gate.acquire(undefined, 5)).rejects.toBeInstanceOf(GateWaitTimeoutError);
    const controller = new AbortController();
    const waiting = gate.acquire(controller.signal);
    controller.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
    expect(gate.depth()).toBe(0);
    hold();
    expect(gate.inFlight()).toBe(0);
  });

  it('limit 0 means unlimited', async () => {
    const gate = createAdmissionGate({ name: 'p', limit: 0, queueLimit: 0 });
    await Promise.all(Array.from({ length: 50 }, () => gate.acquire()));
    expect(gate.inFlight()).toBe(50);
  });
});
