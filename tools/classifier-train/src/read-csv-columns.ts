import { readFileSync } from 'node:fs';
import { parseCsv } from './parse-csv.ts';

/**
 * Reads a CSV file and returns, for each data row, the values of `columns` in that order (a missing
 * trailing field reads as ''). Throws naming the file when the header lacks any of them.
 */
export function readCsvColumns(file: string, columns: readonly string[]): string[][] {
  const rows = parseCsv(readFileSync(file, 'utf8'));
  const header = rows[0] ?? [];
  const indexes = columns.map((name) => header.indexOf(name));
  if (indexes.some((i) => i < 0)) {
    throw new Error(`${file}: header must contain ${columns.slice(0, -1).join(', ')} and ${columns.at(-1)}`);
  }
  return rows.slice(1).map((row) => indexes.map((i) => row[i] ?? ''));
}
