import { columnLabel } from './operator-answer.ts';

describe('columnLabel', () => {
  it('turns result keys into headers with their unit', () => {
    expect(columnLabel('previous_limit_usd')).toBe('Previous limit (USD)');
    expect(columnLabel('latency_p95_ms')).toBe('Latency p95 (ms)');
    expect(columnLabel('tenant')).toBe('Tenant');
  });
});
