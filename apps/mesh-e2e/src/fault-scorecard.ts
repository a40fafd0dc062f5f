import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One judged scenario × protocol. */
export interface ScorecardRow {
  readonly scenario: string;
  readonly protocol: string;
  readonly expected: string;
  readonly got: string;
  readonly pass: boolean;
}

/** Collects rows, prints them as a table and saves them as JSON (the fault suite's report). */
export interface Scorecard {
  add(row: ScorecardRow): void;
  rows(): readonly ScorecardRow[];
  /** Renders the table text. */
  render(): string;
  save(path: string): void;
}

export function createScorecard(): Scorecard {
  const rows: ScorecardRow[] = [];
  return {
    add: (row) => void rows.push(row),
    rows: () => rows,
    render() {
      const header = ['scenario', 'protocol', 'expected', 'got', 'pass'];
      const cells = rows.map((r) => [r.scenario, r.protocol, r.expected, r.got, r.pass ? 'PASS' : 'FAIL']);
      const widths = header.map((h, i) => Math.min(70, Math.max(h.length, ...cells.map((c) => c[i]!.length))));
      const line = (c: string[]): string => c.map((x, i) => x.slice(0, 70).padEnd(widths[i]!)).join(' | ');
      const passed = rows.filter((r) => r.pass).length;
      return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line), `${passed}/${rows.length} passed`].join('\n');
    },
    save(path) {
      mkdirSync(dirname(path), { recursive: true });
      const passed = rows.filter((r) => r.pass).length;
      writeFileSync(path, `${JSON.stringify({ generatedAt: new Date().toISOString(), passed, total: rows.length, rows }, null, 2)}\n`);
    },
  };
}
