import { createFaultState } from './fault-state.ts';

describe('createFaultState', () => {
  it('limits a process fault to the next `count` requests', () => {
    const state = createFaultState({ kind: 'status', code: 503, count: 2 });
    expect(state.takeForChat(undefined)).toEqual({ kind: 'status', code: 503, count: 2 });
    expect(state.takeForChat(undefined)?.kind).toBe('status');
    expect(state.takeForChat(undefined)).toBeUndefined();
    expect(state.current()).toBeUndefined();
  });

  it('lets a request fault win without consuming the process count', () => {
    const state = createFaultState({ kind: 'status', count: 1 });
    expect(state.takeForChat({ kind: 'cut-mid-stream' })?.kind).toBe('cut-mid-stream');
    expect(state.takeForChat({ kind: 'none' })).toBeUndefined();
    expect(state.takeForChat(undefined)?.kind).toBe('status');
    expect(state.takeForChat(undefined)).toBeUndefined();
  });

  it('keeps health-fail away from chat requests and counts health checks', () => {
    const state = createFaultState({ kind: 'health-fail', count: 2 });
    expect(state.takeForChat(undefined)).toBeUndefined();
    expect(state.takeForHealth()).toBe(true);
    expect(state.takeForHealth()).toBe(true);
    expect(state.takeForHealth()).toBe(false);
  });

  it('fails a reproducible share of requests under fail-rate', () => {
    const pattern = (): boolean[] => {
      const state = createFaultState({ kind: 'fail-rate', p: 0.3, seed: 42, inner: { kind: 'status', code: 502 } });
      return Array.from({ length: 1000 }, () => state.takeForChat(undefined) !== undefined);
    };
    const first = pattern();
    expect(pattern()).toEqual(first);
    const failures = first.filter(Boolean).length;
    expect(failures).toBeGreaterThan(240);
    expect(failures).toBeLessThan(360);
  });

  it('treats p=0 and p=1 as never and always', () => {
    const never = createFaultState({ kind: 'fail-rate', p: 0, inner: { kind: 'silent' } });
    const always = createFaultState({ kind: 'fail-rate', p: 1, inner: { kind: 'silent' } });
    for (let i = 0; i < 50; i++) {
      expect(never.takeForChat(undefined)).toBeUndefined();
      expect(always.takeForChat(undefined)).toEqual({ kind: 'silent' });
    }
  });

  it('clears on set(undefined) and on kind none', () => {
    const state = createFaultState({ kind: 'silent' });
    state.set({ kind: 'none' });
    expect(state.current()).toBeUndefined();
    state.set({ kind: 'silent' });
    state.set(undefined);
    expect(state.takeForChat(undefined)).toBeUndefined();
  });
});
