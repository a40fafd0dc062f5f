export { createTtftWindow, type TtftWindow, type TtftWindowOptions } from './ttft-window.ts';
export { createTtftLimits, type TtftLimits, type TtftLimitsOptions, type TtftTargetView } from './ttft-limits.ts';
