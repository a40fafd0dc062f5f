// BudgetStore in the embedded state file. Each method is one synchronous transaction, so concurrent
// requests in this process cannot interleave inside a reserve; other processes sharing the file wait
// on SQLite's write lock (BEGIN IMMEDIATE). Spend rows are added by the usage store's record, in the
// same transaction as the event (addSpend below), which also deletes the reservation.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { transaction } from '@sophia/state-store';
import type { BudgetCalendar } from './budget-calendar.ts';
import {
  applicableScopes,
  BUDGET_WINDOWS,
  checkLimit,
  checkReserveRequest,
  exceededWindow,
  scopeId,
  scopeStates,
  tenantScope,
  type BudgetScope,
  type BudgetState,
  type BudgetStore,
  type BudgetWindow,
} from './budget-store.ts';
import { calibrationSample, CALIBRATION_GENERATION, NO_CALIBRATION, type PromptCalibration } from './prompt-calibration.ts';
import { SPENT_TTL_SECONDS } from './redis-ledger-keys.ts';

/** A ledger_calibration row as stored. */
interface CalibrationRow {
  readonly samples: number;
  readonly max_ratio_milli: number;
  readonly max_excess: number;
  readonly prev_max_ratio_milli: number | null;
  readonly prev_max_excess: number | null;
}

/** BudgetStore plus the spend hook the SQLite usage store calls inside its record transaction. */
export interface SqliteBudgetStore extends BudgetStore {
  /** Adds a new event's cost to every applicable scope's day and month; call inside a transaction. */
  addSpend(record: { tenant: string; model: string; apiKey: string; costMicroUsd: number; timeMs: number }): void;
  /** Deletes a reservation (call inside a transaction); the prompt estimate it carried (0 = none), or undefined when none was held. */
  takeReservation(tenant: string, reservationId: string): number | undefined;
  /** Adds one calibration sample for `model` (call inside a transaction). */
  observePrompt(model: string, estimate: number, billed: number): void;
  /** The transaction that called observePrompt for `model` rolled back: read its calibration afresh. */
  forgetCalibration(model: string): void;
  /** Deletes expired reservations and spend rows past their period's keep time. */
  prune(nowMs: number): void;
}

/** Budget operations on the ledger tables of `db` (LEDGER_SCHEMA); periods follow `calendar`. */
export function createSqliteBudgetStore(db: DatabaseSync, calendar: BudgetCalendar): SqliteBudgetStore {
  const q = {
    spent: db.prepare('SELECT micro_usd FROM ledger_spent WHERE scope = ? AND budget_window = ? AND period = ?'),
    limits: db.prepare('SELECT budget_window, micro_usd FROM ledger_limits WHERE tenant = ? AND api_key = ? AND model = ?'),
    limit: db.prepare('SELECT micro_usd FROM ledger_limits WHERE tenant = ? AND api_key = ? AND model = ? AND budget_window = ?'),
    setLimit: db.prepare(
      `INSERT INTO ledger_limits (tenant, api_key, model, budget_window, micro_usd) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, api_key, model, budget_window) DO UPDATE SET micro_usd = excluded.micro_usd`,
    ),
    deleteLimit: db.prepare('DELETE FROM ledger_limits WHERE tenant = ? AND api_key = ? AND model = ? AND budget_window = ?'),
    limitedScopes: db.prepare(`SELECT DISTINCT api_key, model FROM ledger_limits WHERE tenant = ? AND (api_key != '' OR model != '')`),
    reserved: db.prepare(
      `SELECT coalesce(sum(micro_usd), 0) AS total FROM ledger_reservations
       WHERE tenant = ? AND expires_at_ms > ? AND (? = '' OR api_key = ?) AND (? = '' OR model = ?)`,
    ),
    live: db.prepare('SELECT 1 AS held FROM ledger_reservations WHERE tenant = ? AND id = ? AND expires_at_ms > ?'),
    sweep: db.prepare('DELETE FROM ledger_reservations WHERE tenant = ? AND expires_at_ms <= ?'),
    sweepAll: db.prepare('DELETE FROM ledger_reservations WHERE expires_at_ms <= ?'),
    hold: db.prepare(
      `INSERT INTO ledger_reservations (tenant, id, micro_usd, expires_at_ms, api_key, model, prompt_estimate) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, id) DO UPDATE SET micro_usd = excluded.micro_usd, expires_at_ms = excluded.expires_at_ms,
         api_key = excluded.api_key, model = excluded.model, prompt_estimate = excluded.prompt_estimate`,
    ),
    drop: db.prepare('DELETE FROM ledger_reservations WHERE tenant = ? AND id = ?'),
    take: db.prepare('DELETE FROM ledger_reservations WHERE tenant = ? AND id = ? RETURNING prompt_estimate'),
    observe: db.prepare(
      `INSERT INTO ledger_calibration (model, samples, max_ratio_milli, max_excess) VALUES (:model, 1, :ratio, :excess)
       ON CONFLICT (model) DO UPDATE SET
         prev_max_ratio_milli = CASE WHEN samples >= :generation THEN max_ratio_milli ELSE prev_max_ratio_milli END,
         prev_max_excess = CASE WHEN samples >= :generation THEN max_excess ELSE prev_max_excess END,
         max_ratio_milli = CASE WHEN samples >= :generation THEN :ratio ELSE max(max_ratio_milli, :ratio) END,
         max_excess = CASE WHEN samples >= :generation THEN :excess ELSE max(max_excess, :excess) END,
         samples = CASE WHEN samples >= :generation THEN 1 ELSE samples + 1 END
       RETURNING samples, max_ratio_milli, max_excess, prev_max_ratio_milli, prev_max_excess`,
    ),
    calibration: db.prepare('SELECT samples, max_ratio_milli, max_excess, prev_max_ratio_milli, prev_max_excess FROM ledger_calibration WHERE model = ?'),
    pruneSpent: db.prepare('DELETE FROM ledger_spent WHERE expires_at_ms <= ?'),
  };

  // One upsert for every (scope, window) row a record adds to, prepared once per row count. The
  // rows are distinct (scopeId differs per scope), so one statement adds exactly what a run per row did.
  const addSpentStatements = new Map<number, StatementSync>();
  const addSpentRows = (rows: number): StatementSync => {
    let statement = addSpentStatements.get(rows);
    if (statement === undefined) {
      statement = db.prepare(
        `INSERT INTO ledger_spent (scope, budget_window, period, micro_usd, expires_at_ms) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ')}
         ON CONFLICT (scope, budget_window, period) DO UPDATE SET micro_usd = micro_usd + excluded.micro_usd`,
      );
      addSpentStatements.set(rows, statement);
    }
    return statement;
  };

  // Each Reserve prices with its model's calibration: a read outside any transaction costs a WAL
  // snapshot each time, so the decoded row is kept per model (catalog models only: Reserve checks the
  // model first), replaced by the row each new sample writes (RETURNING), and forgotten when the
  // record transaction that wrote it rolls back. This store is the table's only writer: one ledger
  // owns a data directory (its lock), and the Redis store keeps its own.
  const calibrations = new Map<string, PromptCalibration>();
  const readCalibration = (model: string): PromptCalibration => {
    const row = q.calibration.get(model) as CalibrationRow | undefined;
    return row === undefined ? NO_CALIBRATION : decodeCalibration(row);
  };
  const decodeCalibration = (row: CalibrationRow): PromptCalibration => {
    const previous = row.prev_max_ratio_milli !== null;
    return {
      samples: row.samples + (previous ? CALIBRATION_GENERATION : 0),
      maxRatioMilli: Math.max(row.max_ratio_milli, row.prev_max_ratio_milli ?? row.max_ratio_milli),
      maxExcessTokens: Math.max(row.max_excess, row.prev_max_excess ?? row.max_excess),
    };
  };

  const states = (scope: BudgetScope, nowMs: number): BudgetState[] => {
    const id = scopeId(scope);
    const limits: Partial<Record<BudgetWindow, number>> = {};
    for (const row of q.limits.all(scope.tenant, scope.apiKey, scope.model) as Array<{ budget_window: BudgetWindow; micro_usd: number }>) {
      limits[row.budget_window] = row.micro_usd;
    }
    const spentIn = (window: BudgetWindow): number =>
      (q.spent.get(id, window, calendar.period(window, nowMs)) as { micro_usd: number } | undefined)?.micro_usd ?? 0;
    const reserved = (q.reserved.get(scope.tenant, nowMs, scope.apiKey, scope.apiKey, scope.model, scope.model) as { total: number }).total;
    return scopeStates(calendar, scope, nowMs, limits, { day: spentIn('day'), month: spentIn('month') }, reserved);
  };

  return {
    addSpend(record) {
      const scopes = applicableScopes(record.tenant, record.model, record.apiKey);
      const args: Array<string | number> = [];
      for (const window of BUDGET_WINDOWS) {
        const period = calendar.period(window, record.timeMs);
        const keepUntil = calendar.resetsAtMs(window, record.timeMs) + SPENT_TTL_SECONDS[window] * 1000;
        for (const scope of scopes) args.push(scopeId(scope), window, period, record.costMicroUsd, keepUntil);
      }
      addSpentRows(scopes.length * BUDGET_WINDOWS.length).run(...args);
    },
    takeReservation(tenant, reservationId) {
      return (q.take.get(tenant, reservationId) as { prompt_estimate: number } | undefined)?.prompt_estimate;
    },
    observePrompt(model, estimate, billed) {
      const { ratioMilli, excess } = calibrationSample(estimate, billed);
      // An upsert with RETURNING always returns its row.
      const row = q.observe.get({ model, ratio: ratioMilli, excess, generation: CALIBRATION_GENERATION }) as CalibrationRow | undefined;
      calibrations.set(model, row === undefined ? readCalibration(model) : decodeCalibration(row));
    },
    forgetCalibration(model) {
      calibrations.delete(model);
    },
    async promptCalibration(model): Promise<PromptCalibration> {
      let calibration = calibrations.get(model);
      if (calibration === undefined) {
        calibration = readCalibration(model);
        calibrations.set(model, calibration);
      }
      return calibration;
    },
    prune(nowMs) {
      transaction(db, () => {
        q.sweepAll.run(nowMs);
        q.pruneSpent.run(nowMs);
      });
    },
    async setLimit(scope, window, limitMicroUsd) {
      checkLimit(limitMicroUsd);
      return transaction(db, () => {
        const previous = (q.limit.get(scope.tenant, scope.apiKey, scope.model, window) as { micro_usd: number } | undefined)?.micro_usd;
        if (limitMicroUsd === undefined) q.deleteLimit.run(scope.tenant, scope.apiKey, scope.model, window);
        else q.setLimit.run(scope.tenant, scope.apiKey, scope.model, window, limitMicroUsd);
        return previous;
      });
    },
    async reserve(request) {
      checkReserveRequest(request);
      const apiKey = request.apiKey ?? '';
      const model = request.model ?? '';
      const scopes = applicableScopes(request.tenant, model, apiKey);
      return transaction(db, () => {
        q.sweep.run(request.tenant, request.nowMs);
        const held = q.live.get(request.tenant, request.reservationId, request.nowMs) !== undefined;
        // Read once (four indexed lookups per scope, inside the transaction — cheaper here than one
        // combined statement per table): the new hold names this tenant, key and model, so it falls
        // in every applicable scope and its amount is added to each state's reserved sum.
        const before = scopes.flatMap((s) => states(s, request.nowMs));
        if (held) return { granted: true, states: before };
        const exceeded = exceededWindow(before, request.amountMicroUsd);
        if (exceeded !== undefined) return { granted: false, exceeded, states: before };
        q.hold.run(request.tenant, request.reservationId, request.amountMicroUsd, request.nowMs + request.ttlMs, apiKey, model, request.promptEstimate ?? 0);
        return { granted: true, states: before.map((s) => ({ ...s, reservedMicroUsd: s.reservedMicroUsd + request.amountMicroUsd })) };
      });
    },
    async release(tenant, reservationId) {
      return transaction(db, () => q.drop.run(tenant, reservationId).changes > 0);
    },
    async status(scope, nowMs) {
      return states(scope, nowMs);
    },
    async tenantStatus(tenant, nowMs) {
      const others = (q.limitedScopes.all(tenant) as Array<{ api_key: string; model: string }>)
        .map((r) => ({ tenant, apiKey: r.api_key, model: r.model }))
        .sort((a, b) => (scopeId(a) < scopeId(b) ? -1 : 1));
      return [tenantScope(tenant), ...others].flatMap((s) => states(s, nowMs));
    },
  };
}
