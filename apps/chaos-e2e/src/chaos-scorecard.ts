import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One judged chaos scenario in one hosting mode, with the figures it measured. */
export interface ChaosRow {
  readonly scenario: string;
  readonly expected: string;
  readonly got: string;
  readonly pass: boolean;
  /** Measured numbers (restart ms, events before/after…), kept in the JSON report. */
  readonly figures?: Readonly<Record<string, number | string>>;
}

/** Rows of one chaos spec in one mode: printed as a table, saved as JSON under reports/. */
export interface ChaosScorecard {
  add(row: ChaosRow): ChaosRow;
  rows(): readonly ChaosRow[];
  render(): string;
  save(path: string): void;
}

/** A scorecard for `suite` (e.g. "crash") in `mode`, the fault suite's format plus figures. */
export function createChaosScorecard(suite: string, mode: string): ChaosScorecard {
  const rows: ChaosRow[] = [];
  return {
    add: (row) => {
      rows.push(row);
      process.stderr.write(`[chaos ${suite} ${mode}] ${row.pass ? 'PASS' : 'FAIL'} ${row.scenario}: ${row.got}\n`);
      return row;
    },
    rows: () => rows,
    render() {
      const header = ['scenario', 'expected', 'got', 'pass'];
      const cells = rows.map((r) => [r.scenario, r.expected, r.got, r.pass ? 'PASS' : 'FAIL']);
      const widths = header.map((h, i) => Math.min(90, Math.max(h.length, ...cells.map((c) => c[i]!.length))));
      const line = (c: string[]): string => c.map((x, i) => x.slice(0, 90).padEnd(widths[i]!)).join(' | ');
      const passed = rows.filter((r) => r.pass).length;
      return [`chaos ${suite} (${mode})`, line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line), `${passed}/${rows.length} passed`].join('\n');
    },
    save(path) {
      mkdirSync(dirname(path), { recursive: true });
      const passed = rows.filter((r) => r.pass).length;
      writeFileSync(path, `${JSON.stringify({ suite, mode, generatedAt: new Date().toISOString(), passed, total: rows.length, rows }, null, 2)}\n`);
    },
  };
}
