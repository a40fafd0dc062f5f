import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { NullValue, type ValueSchema } from '@bufbuild/protobuf/wkt';
import { CommandResultSchema, type CommandResult } from '@sophia/contracts/ops';
import type { Money } from '@sophia/contracts/common';

/** A table cell: what JSON can carry. Dollars are decimal numbers, counts integers. */
export type Cell = string | number | boolean | null;

function cellValue(c: Cell): MessageInitShape<typeof ValueSchema> {
  if (c === null) return { kind: { case: 'nullValue', value: NullValue.NULL_VALUE } };
  if (typeof c === 'string') return { kind: { case: 'stringValue', value: c } };
  if (typeof c === 'number') return { kind: { case: 'numberValue', value: Number.isFinite(c) ? c : 0 } };
  return { kind: { case: 'boolValue', value: c } };
}

/** Builds a read's answer: one line for a human, then the table behind it. */
export function commandResult(summary: string, columns: readonly string[], rows: ReadonlyArray<readonly Cell[]>): CommandResult {
  return create(CommandResultSchema, {
    summary,
    table: {
      columns: [...columns],
      rows: rows.map((cells) => ({
        cells: cells.map(cellValue),
      })),
    },
  });
}

/** Micro-dollars as decimal dollars (exact to the micro-dollar for any realistic amount). */
export function usd(m: Money | undefined | bigint): number {
  const micro = typeof m === 'bigint' ? m : (m?.microUsd ?? 0n);
  return Number(micro) / 1e6;
}

/**
 * "$1,234.56" (cents); below a cent, two significant digits down to the micro-dollar the ledger
 * keeps ("$0.0040", "$0.000022"), so a tiny cost or budget is never shown as $0.00.
 */
export function formatUsd(dollars: number): string {
  const abs = Math.abs(dollars);
  const digits = abs > 0 && abs < 0.01 ? Math.min(6, Math.max(4, Math.ceil(-Math.log10(abs)) + 1)) : 2;
  return `${dollars < 0 ? '-' : ''}$${abs.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** Decimal dollars as whole micro-dollars. */
export function microUsd(dollars: number): bigint {
  return BigInt(Math.round(dollars * 1e6));
}
