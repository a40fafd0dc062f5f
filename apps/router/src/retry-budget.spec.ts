import { createRetryBudget, retryDelayMs } from './retry-budget.ts';

describe('retry budget', () => {
  it('allows at most ratio × requests retries once the saved tokens are spent', () => {
    const budget = createRetryBudget({ ratio: 0.1, maxTokens: 2 });
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
    let retries = 0;
    for (let i = 0; i < 1000; i++) {
      budget.deposit();
      if (budget.tryWithdraw()) retries += 1;
    }
    expect(retries).toBeLessThanOrEqual(100);
    expect(retries).toBeGreaterThanOrEqual(99);
  });

  it('never saves more than maxTokens', () => {
    const budget = createRetryBudget({ ratio: 1, maxTokens: 3 });
    for (let i = 0; i < 10; i++) budget.deposit();
    expect(budget.available()).toBe(3);
  });

  it('rejects a ratio outside [0,1]', () => {
    expect(() => createRetryBudget({ ratio: 2 })).toThrow(/ratio must be in \[0,1\], got 2/);
  });
});

describe('retryDelayMs', () => {
  it('honours Retry-After exactly', () => {
    expect(retryDelayMs(0, 1000, { random: () => 0.5 })).toBe(1000);
  });
  it('uses capped full-jitter backoff otherwise', () => {
    expect(retryDelayMs(0, undefined, { baseMs: 100, capMs: 1000, random: () => 0.5 })).toBe(50);
    expect(retryDelayMs(3, undefined, { baseMs: 100, capMs: 1000, random: () => 0.999 })).toBe(799);
    expect(retryDelayMs(10, undefined, { baseMs: 100, capMs: 1000, random: () => 0.999 })).toBe(999);
  });
});
