import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** One gold query to execute: the gold text and the validator's rewritten (LIMIT-bounded) text. */
export interface ExecutionCase {
  readonly id: string;
  readonly db: string;
  readonly gold: string;
  readonly rewritten: string;
}

/** Execution figures: does the validated, rewritten SQL run and return the gold rows (up to the cap)? */
export interface ExecutionReport {
  readonly databases: number;
  readonly cases: number;
  readonly goldExecuted: number;
  readonly rewrittenExecuted: number;
  readonly sameResult: number;
  readonly failures: { id: string; stage: 'gold' | 'rewritten' | 'compare' | 'nondeterministic'; error: string }[];
}

async function rows(con: DuckDBConnection, sql: string): Promise<string[]> {
  const r = await con.runAndReadAll(sql);
  return r.getRowsJson().map((row) => JSON.stringify(row));
}

/**
 * Loads the Spider dev databases shipped as SQL (one DuckDB schema each; the foreign-key ALTER TABLE
 * statements DuckDB refuses are dropped) and executes each gold query (in its schema) and its validated
 * rewrite (from the `main` schema, so only the validator's table qualification finds the tables).
 * DuckDB stands in for Snowflake here (the local-dev warehouse of the architecture).
 */
export async function measureSpiderExecution(dbDir: string, cases: readonly ExecutionCase[], maxRows: number): Promise<ExecutionReport> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  const loaded = new Set<string>();
  for (const f of readdirSync(dbDir).filter((x) => x.endsWith('.sql'))) {
    const sql = readFileSync(join(dbDir, f), 'utf8').replace(/^\s*ALTER TABLE[^;]*;/gm, '');
    await con.run(sql);
    loaded.add(f.replace(/\.sql$/, ''));
  }
  const failures: ExecutionReport['failures'] = [];
  let n = 0;
  let goldOk = 0;
  let rewrittenOk = 0;
  let same = 0;
  for (const c of cases) {
    if (!loaded.has(c.db)) continue;
    n++;
    // The gold query runs inside its database's schema; the rewrite from `main`, where only the
    // validator's table qualification can make it find its tables.
    await con.run(`USE memory.${c.db}`);
    let gold: string[];
    try {
      gold = await rows(con, c.gold);
      goldOk++;
    } catch (err) {
      failures.push({ id: c.id, stage: 'gold', error: (err as Error).message.split('\n')[0]! });
      continue;
    }
    let rewritten: string[];
    try {
      await con.run('USE memory.main');
      rewritten = await rows(con, c.rewritten);
      rewrittenOk++;
    } catch (err) {
      failures.push({ id: c.id, stage: 'rewritten', error: (err as Error).message.split('\n')[0]! });
      continue;
    }
    const a = [...gold].sort();
    const b = [...rewritten].sort();
    const ok = gold.length > maxRows ? rewritten.length === maxRows : a.length === b.length && a.every((x, i) => x === b[i]);
    if (ok) same++;
    else {
      // `ORDER BY … LIMIT n` with ties may legitimately return other rows: if the gold query without its
      // LIMIT contains every rewritten row, the difference is the query's non-determinism.
      let stage: 'compare' | 'nondeterministic' = 'compare';
      const unlimited = c.gold.replace(/\s+LIMIT\s+\d+\s*;?\s*$/i, '');
      if (unlimited !== c.gold && gold.length === rewritten.length) {
        await con.run(`USE memory.${c.db}`);
        const all = new Set(await rows(con, unlimited));
        if (rewritten.every((r) => all.has(r))) stage = 'nondeterministic';
      }
      failures.push({ id: c.id, stage, error: `gold ${gold.length} rows, rewritten ${rewritten.length} rows, contents differ` });
    }
  }
  con.closeSync();
  instance.closeSync();
  return { databases: loaded.size, cases: n, goldExecuted: goldOk, rewrittenExecuted: rewrittenOk, sameResult: same, failures };
}
