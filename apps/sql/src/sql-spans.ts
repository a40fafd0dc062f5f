import type { Span } from '@opentelemetry/api';
import { failSpan, inSpanSync, startSpan } from '@sophia/platform';
import { validateSql, type ValidationResult } from '@sophia/sql-core';
import type { SqlSourceKind } from './sql-engine.ts';
import type { WarehouseEvent } from './warehouse/warehouse.ts';

/**
 * `validateSql` in a `sql.validate` span: whether it passed, how many errors, which tables it
 * reads. The statement itself is not recorded (it may carry literals from the user's question).
 */
export function tracedValidate(...args: Parameters<typeof validateSql>): ValidationResult {
  return inSpanSync('sql.validate', undefined, (span) => {
    const report = validateSql(...args);
    if (span.isRecording()) span.setAttributes({ 'sophia.sql.ok': report.ok, 'sophia.sql.errors': report.errors.length, 'sophia.sql.tables': report.tables });
    return report;
  });
}

/** The `sql.execute` span of one statement's run on the warehouse, ended when its rows end, fail or are abandoned. */
export interface ExecuteSpan {
  observe(events: AsyncIterable<WarehouseEvent>): AsyncGenerator<WarehouseEvent, void, undefined>;
  fail(err: unknown): void;
  end(): void;
}

/** Starts the `sql.execute` span (row count and truncation are added when the result ends). */
export function startExecuteSpan(source: SqlSourceKind): ExecuteSpan {
  const span: Span = startSpan('sql.execute', { kind: 'client', attributes: { 'sophia.sql.source': source } });
  let open = true;
  return {
    async *observe(events) {
      for await (const event of events) {
        if (event.kind === 'end' && span.isRecording()) span.setAttributes({ 'db.response.returned_rows': event.rowCount, 'sophia.sql.truncated': event.truncated });
        yield event;
      }
    },
    fail: (err) => failSpan(span, err),
    end() {
      if (!open) return;
      open = false;
      span.end();
    },
  };
}
