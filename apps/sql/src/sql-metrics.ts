// SQL-service Prometheus metrics: how questions are answered (the share that needs an LLM is the
// cost driver) and what executions return. Labels are bounded (source, result, model scope).
import { Counter, Histogram, type Registry } from 'prom-client';
import type { SqlSourceKind } from './sql-engine.ts';

/** What the engine reports. */
export interface SqlMetrics {
  /** One answered question: where its SQL came from, whether it validated, the model used. */
  observeAnswer(source: SqlSourceKind, ok: boolean, scope: string, repairAttempts: number): void;
  /** One finished execution: rows returned and whether the limit cut them. */
  observeExecution(rows: number, truncated: boolean): void;
  /** One execution that failed: "timeout", "rejected" (validator) or "warehouse". */
  observeFailure(kind: 'timeout' | 'rejected' | 'warehouse'): void;
}

/** Registers the SQL metrics on `registry`. */
export function createSqlMetrics(registry: Registry): SqlMetrics {
  const answers = new Counter({
    name: 'sql_answers_total',
    help: 'Questions answered, by SQL source (verified_query, semantic_model, llm), validation result and semantic model.',
    labelNames: ['source', 'result', 'scope'],
    registers: [registry],
  });
  const repairs = new Histogram({
    name: 'sql_llm_repair_attempts',
    help: 'Repair rounds the LLM path needed per question.',
    buckets: [0, 1, 2, 3, 4, 5],
    registers: [registry],
  });
  const rows = new Histogram({
    name: 'sql_result_rows',
    help: 'Rows returned per execution.',
    buckets: [0, 1, 10, 100, 1000, 10_000],
    registers: [registry],
  });
  const executions = new Counter({
    name: 'sql_executions_total',
    help: 'Executions by result: ok, truncated, timeout, rejected (validator), warehouse (warehouse error).',
    labelNames: ['result'],
    registers: [registry],
  });
  return {
    observeAnswer(source, ok, scope, repairAttempts) {
      answers.inc({ source, result: ok ? 'valid' : 'invalid', scope: scope || 'all' });
      if (source === 'llm') repairs.observe(repairAttempts);
    },
    observeExecution(count, truncated) {
      rows.observe(count);
      executions.inc({ result: truncated ? 'truncated' : 'ok' });
    },
    observeFailure(kind) {
      executions.inc({ result: kind });
    },
  };
}
