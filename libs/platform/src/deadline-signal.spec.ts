import { deadlineSignal } from './deadline-signal.ts';

describe('deadlineSignal', () => {
  it('aborts with the parent, keeping its reason', () => {
    const parent = new AbortController();
    const d = deadlineSignal(parent.signal, 60_000);
    parent.abort(new Error('client gone'));
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as Error).message).toBe('client gone');
    d.dispose();
  });

  it('aborts with a TimeoutError at the deadline', async () => {
    const d = deadlineSignal(new AbortController().signal, 1);
    await new Promise((resolve) => d.signal.addEventListener('abort', resolve, { once: true }));
    expect((d.signal.reason as DOMException).name).toBe('TimeoutError');
    d.dispose();
  });

  it('is already aborted when the parent is', () => {
    const parent = new AbortController();
    parent.abort('early');
    expect(deadlineSignal(parent.signal, 60_000).signal.reason).toBe('early');
  });

  it('lets go of the parent and the timer on dispose: nothing fires afterwards', async () => {
    const parent = new AbortController();
    const d = deadlineSignal(parent.signal, 5);
    d.dispose();
    parent.abort();
    await new Promise((r) => setTimeout(r, 20));
    expect(d.signal.aborted).toBe(false);
  });
});
