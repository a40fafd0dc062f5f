import type { GetUsageReportResponse } from '@sophia/contracts/ledger';
import { Dimension } from '@sophia/contracts/ledger';

/** A text cell (a report key): quoted when needed; a leading =,+,-,@ would be read as a formula by spreadsheets. */
function textCell(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function usd(micro: bigint | undefined): string {
  const m = micro ?? 0n;
  const sign = m < 0n ? '-' : '';
  const abs = m < 0n ? -m : m;
  return `${sign}${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, '0')}`;
}

/**
 * The ledger's usage report as CSV, one line per row, dollars with all six decimals of the ledger's
 * micro-dollars (exact, no float rounding).
 */
export function usageCsv(report: GetUsageReportResponse | undefined): string {
  if (!report) return '';
  const dims = report.groupBy.map((d) => (Dimension[d] ?? String(d)).toLowerCase());
  const header = [...dims, 'requests', 'prompt_tokens', 'completion_tokens', 'cost_usd', 'cost_per_request_usd', 'latency_p50_ms', 'latency_p95_ms'];
  const lines = report.rows.map((r) =>
    [...r.keys.map(textCell), String(r.requests), String(r.promptTokens), String(r.completionTokens), usd(r.cost?.microUsd), usd(r.costPerRequest?.microUsd), String(r.latencyP50Ms), String(r.latencyP95Ms)].join(','),
  );
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}
