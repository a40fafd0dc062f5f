/**
 * Figures in human units. Every input is a number the mesh measured (micro-dollars, milliseconds,
 * counts); these functions only choose how to print it — and never print NaN, Infinity or "-0".
 */

const usdLarge = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2, minimumFractionDigits: 2, signDisplay: 'negative' });
const usdSmall = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 3, signDisplay: 'negative' });
const count = new Intl.NumberFormat('en-US', { signDisplay: 'negative' });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1, signDisplay: 'negative' });
const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1, signDisplay: 'negative' });

/** What a figure that cannot be computed prints as. */
export const NO_FIGURE = '—';

/** Micro-dollars (protobuf int64) as dollars: cents from $1 up, three significant digits below. */
export function formatUsd(microUsd: bigint | number): string {
  if (typeof microUsd === 'number' && !Number.isFinite(microUsd)) return NO_FIGURE;
  const micro = typeof microUsd === 'bigint' ? microUsd : BigInt(Math.round(microUsd));
  if (micro === 0n) return '$0.00';
  const dollars = Number(micro) / 1e6;
  return Math.abs(dollars) >= 1 ? usdLarge.format(dollars) : usdSmall.format(dollars);
}

/** A count with thousands separators ("12,345"). */
export function formatCount(n: bigint | number): string {
  if (typeof n === 'number' && !Number.isFinite(n)) return NO_FIGURE;
  return count.format(typeof n === 'bigint' ? Number(n) : n);
}

/** A large count in short form ("1.2M"). */
export function formatCompact(n: bigint | number): string {
  if (typeof n === 'number' && !Number.isFinite(n)) return NO_FIGURE;
  return compact.format(typeof n === 'bigint' ? Number(n) : n);
}

/** A ratio in [0, 1] (or beyond) as a percentage. */
export function formatPercent(ratio: number): string {
  return Number.isFinite(ratio) ? percent.format(ratio) : NO_FIGURE;
}

/** Milliseconds as "850 ms" or "1.2 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return NO_FIGURE;
  if (Math.abs(ms) < 999.5) return `${Math.round(ms) || 0} ms`;
  return `${(ms / 1000).toFixed(Math.abs(ms) < 9_995 ? 2 : 1)} s`;
}

/** A note from the mesh with its micro-dollar amounts ("6444000000 µ$") in dollars ("$6,444.00"). */
export function humanNote(text: string): string {
  return text.replace(/(-?\d+)\s*µ\$/g, (_m, micro: string) => formatUsd(BigInt(micro)));
}
