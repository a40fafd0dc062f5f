/**
 * Figures in human units. Every input is a number the mesh measured (micro-dollars, milliseconds,
 * counts); these functions only choose how to print it.
 */

const usdLarge = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2, minimumFractionDigits: 2 });
const usdSmall = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 });
const count = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

/** Micro-dollars (protobuf int64) as dollars: cents from $1 up, three significant digits below. */
export function formatUsd(microUsd: bigint | number): string {
  const micro = typeof microUsd === 'bigint' ? microUsd : BigInt(Math.round(microUsd));
  if (micro === 0n) return '$0.00';
  const dollars = Number(micro) / 1e6;
  return Math.abs(dollars) >= 1 ? usdLarge.format(dollars) : usdSmall.format(dollars);
}

/** A count with thousands separators ("12,345"). */
export function formatCount(n: bigint | number): string {
  return count.format(typeof n === 'bigint' ? Number(n) : n);
}

/** A large count in short form ("1.2M"). */
export function formatCompact(n: bigint | number): string {
  return compact.format(typeof n === 'bigint' ? Number(n) : n);
}

/** A ratio in [0, 1] (or beyond) as a percentage. */
export function formatPercent(ratio: number): string {
  return percent.format(ratio);
}

/** Milliseconds as "850 ms" or "1.2 s". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
