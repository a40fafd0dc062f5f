import type { GatewayConfig } from '../gateway-config.ts';
import type { RunawayOptions } from './runaway-detector.ts';

/** The gateway keys runaway protection reads. */
export type RunawayConfig = Pick<GatewayConfig, 'SOPHIA_RUNAWAY_FLOOR_PER_MINUTE' | 'SOPHIA_RUNAWAY_SPEND_FLOOR_USD_PER_MINUTE' | 'SOPHIA_RUNAWAY_REPEATS'>;

/**
 * Runaway protection as configured, or undefined when every signal is off. Read once at start, so
 * the gateway and the tests of its defaults judge with the same thresholds.
 */
export function runawayOptionsOf(config: RunawayConfig): RunawayOptions | undefined {
  const options: RunawayOptions = {
    floorPerMinute: config.SOPHIA_RUNAWAY_FLOOR_PER_MINUTE,
    spendFloorUsdPerMinute: config.SOPHIA_RUNAWAY_SPEND_FLOOR_USD_PER_MINUTE,
    repeats: config.SOPHIA_RUNAWAY_REPEATS,
  };
  const on = config.SOPHIA_RUNAWAY_FLOOR_PER_MINUTE > 0 || config.SOPHIA_RUNAWAY_SPEND_FLOOR_USD_PER_MINUTE > 0 || config.SOPHIA_RUNAWAY_REPEATS !== 'off';
  return on ? options : undefined;
}
