import { processCpuMs } from './process-cpu.ts';

describe('processCpuMs', () => {
  it('reads this process’s CPU time from /proc, in milliseconds', () => {
    const ms = processCpuMs(process.pid);
    expect(ms).toBeGreaterThan(0);
    // /proc counts whole clock ticks; Node's own figure is exact, and the two agree to within a tick per field.
    const own = process.cpuUsage();
    expect(Math.abs(ms! - (own.user + own.system) / 1000)).toBeLessThan(100);
  });

  it('is undefined for a process that does not exist', () => {
    expect(processCpuMs(2 ** 22 + 1)).toBeUndefined();
  });
});
