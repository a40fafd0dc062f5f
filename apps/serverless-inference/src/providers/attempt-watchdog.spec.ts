import { watchAttempt, type WatchdogScheduler, type WatchdogVerdict } from './attempt-watchdog.ts';

/**
 * A hand-driven event loop: timers fire only when the test says (as late as it likes), and callbacks
 * queued "after pending I/O" run only after the test has delivered that I/O.
 */
function manualLoop(start = 1_000_000) {
  let clock = start;
  const timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  const afterIo: Array<{ fn: () => void; cancelled: boolean }> = [];
  const scheduler: WatchdogScheduler = {
    now: () => clock,
    after(ms, fn) {
      const t = { at: clock + ms, fn, cancelled: false };
      timers.push(t);
      return () => void (t.cancelled = true);
    },
    afterPendingIo(fn) {
      const c = { fn, cancelled: false };
      afterIo.push(c);
      return () => void (c.cancelled = true);
    },
  };
  return {
    scheduler,
    now: () => clock,
    /** Advances the clock to `at` and fires the timers due by then (their callbacks only: pending I/O is not read yet). */
    fireTimersAt(at: number) {
      clock = at;
      for (const t of timers.splice(0).filter((x) => !x.cancelled)) {
        if (t.at <= clock) t.fn();
        else timers.push(t);
      }
    },
    /** The poll phase: `deliver` plays the network input read now, then the after-I/O callbacks run. */
    readPendingIo(deliver: () => void = () => undefined) {
      deliver();
      for (const c of afterIo.splice(0)) if (!c.cancelled) c.fn();
    },
    pendingTimers: () => timers.filter((t) => !t.cancelled).length,
  };
}

describe('watchAttempt', () => {
  const windowMs = 400;

  function setup(loop: ReturnType<typeof manualLoop>) {
    const provider = { lastSign: 0, newestStartedSentAt: 0 };
    const verdicts: Array<WatchdogVerdict<'silent'>> = [];
    const startedAt = loop.now();
    const stop = watchAttempt({
      scheduler: loop.scheduler,
      windowMs,
      startedAt,
      lastSign: () => provider.lastSign,
      newerServedSentAt: () => provider.newestStartedSentAt,
      give: 'silent',
      onVerdict: (v) => verdicts.push(v),
    });
    return { provider, verdicts, startedAt, stop };
  }

  it('declares a provider with no sign of life within the window silent, at an on-time check', () => {
    const loop = manualLoop();
    const { verdicts, startedAt } = setup(loop);
    loop.fireTimersAt(startedAt + windowMs);
    loop.readPendingIo();
    expect(verdicts).toEqual(['silent']);
  });

  it('keeps waiting while the provider shows life for others within the window', () => {
    const loop = manualLoop();
    const { provider, verdicts, startedAt } = setup(loop);
    provider.lastSign = startedAt + windowMs - 10;
    loop.fireTimersAt(startedAt + windowMs);
    loop.readPendingIo();
    expect(verdicts).toEqual([]);
    expect(loop.pendingTimers()).toBe(1); // re-armed
  });

  it('judges a check that fired late only after the pending network input is read: that input can show the provider alive', () => {
    const loop = manualLoop();
    const { provider, verdicts, startedAt } = setup(loop);
    // The process was saturated: the check's timer fires a whole window late; the provider answered
    // meanwhile, but its answer still sits unread in the poll queue.
    const firedAt = startedAt + 2 * windowMs;
    loop.fireTimersAt(firedAt);
    expect(verdicts).toEqual([]); // nothing judged in the timer phase
    loop.readPendingIo(() => (provider.lastSign = firedAt));
    expect(verdicts).toEqual([]);
  });

  it('defers a check that fired more than half a window late even when no input was pending, and judges at the next on-time check', () => {
    const loop = manualLoop();
    const { verdicts, startedAt } = setup(loop);
    const firedAt = startedAt + windowMs + windowMs / 2 + 1;
    loop.fireTimersAt(firedAt);
    loop.readPendingIo();
    expect(verdicts).toEqual([]); // this process is behind, not the provider
    loop.fireTimersAt(firedAt + windowMs / 4); // the re-check, on time
    loop.readPendingIo();
    expect(verdicts).toEqual(['silent']);
  });

  it('gives up on a lost request at once, however alive (or late) the provider is', () => {
    const loop = manualLoop();
    const { provider, verdicts, startedAt } = setup(loop);
    provider.lastSign = startedAt + 2 * windowMs;
    provider.newestStartedSentAt = startedAt + windowMs + 1;
    loop.fireTimersAt(startedAt + 2 * windowMs);
    loop.readPendingIo();
    expect(verdicts).toEqual(['lost']);
  });

  it('stops: no verdict after stop, even for a check already waiting on pending input', () => {
    const loop = manualLoop();
    const { verdicts, startedAt, stop } = setup(loop);
    loop.fireTimersAt(startedAt + windowMs);
    stop();
    loop.readPendingIo();
    expect(verdicts).toEqual([]);
    expect(loop.pendingTimers()).toBe(0);
  });
});
