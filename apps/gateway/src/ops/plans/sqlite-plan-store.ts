import type { DatabaseSync } from 'node:sqlite';
import { transaction, type StoreSchema } from '@sophia/state-store';
import { PLAN_RETENTION_MS, type PlanClaim, type PlanRecord, type PlanStore } from './plan-store.ts';

/** The `ops-plans` store in the embedded state file. */
export const PLAN_STORE_SCHEMA: StoreSchema = {
  name: 'ops-plans',
  migrations: [
    {
      version: 1,
      sql: `CREATE TABLE ops_plans (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        keep_until_ms INTEGER NOT NULL,
        json TEXT NOT NULL
      ) STRICT;
      CREATE INDEX ops_plans_keep_until ON ops_plans (keep_until_ms);`,
    },
  ],
};

/** A PlanStore on the embedded SQLite state file: each step one transaction, durable when it returns. */
export function createSqlitePlanStore(db: DatabaseSync): PlanStore {
  const insert = db.prepare('INSERT INTO ops_plans (id, status, expires_at_ms, keep_until_ms, json) VALUES (?, ?, ?, ?, ?)');
  const select = db.prepare('SELECT json FROM ops_plans WHERE id = ?');
  const update = db.prepare('UPDATE ops_plans SET status = ?, keep_until_ms = ?, json = ? WHERE id = ?');
  const prune = db.prepare('DELETE FROM ops_plans WHERE keep_until_ms < ?');
  const read = (id: string): PlanRecord | undefined => {
    const row = select.get(id) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as PlanRecord) : undefined;
  };
  const write = (plan: PlanRecord, keepUntil: number): void => {
    update.run(plan.status, keepUntil, JSON.stringify(plan), plan.id);
  };
  return {
    async create(plan) {
      transaction(db, () => {
        prune.run(plan.createdAtMs);
        insert.run(plan.id, plan.status, plan.expiresAtMs, plan.expiresAtMs + PLAN_RETENTION_MS, JSON.stringify(plan));
      });
    },
    async get(id) {
      return read(id);
    },
    async claim(id, nowMs) {
      return transaction(db, (): PlanClaim => {
        const plan = read(id);
        if (!plan) return { kind: 'unknown' };
        if (plan.status === 'applied') return { kind: 'applied', plan };
        if (plan.status === 'applying') return { kind: 'in_progress', plan };
        if (plan.expiresAtMs <= nowMs) return { kind: 'expired', plan };
        const claimed: PlanRecord = { ...plan, status: 'applying' };
        write(claimed, plan.expiresAtMs + PLAN_RETENTION_MS);
        return { kind: 'claimed', plan: claimed };
      });
    },
    async finish(id, applied) {
      transaction(db, () => {
        const plan = read(id);
        if (plan) write({ ...plan, status: 'applied', ...applied }, applied.appliedAtMs + PLAN_RETENTION_MS);
      });
    },
    async release(id) {
      transaction(db, () => {
        const plan = read(id);
        if (plan?.status === 'applying') write({ ...plan, status: 'pending' }, plan.expiresAtMs + PLAN_RETENTION_MS);
      });
    },
  };
}
