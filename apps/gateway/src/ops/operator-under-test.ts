// Test support (used only by specs): an operator over a fake router/ledger transport and the real
// SQLite plan store in memory, with a clock the test sets — one place instead of a copy per spec.
import { ConnectError, createClient, type Code, type Transport } from '@connectrpc/connect';
import { LedgerService } from '@sophia/contracts/ledger';
import { RouterService } from '@sophia/contracts/router';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import { pino } from 'pino';
import { createOperator, type Operator } from './operator.ts';
import type { OperatorContext } from './operator-context.ts';
import { createSqlitePlanStore, PLAN_STORE_SCHEMA } from './plans/sqlite-plan-store.ts';
import { PROMPT_REPEAT_STORE_SCHEMA } from './prompts/sqlite-prompt-repeat-store.ts';

/** The operator, its state database (for stores a spec adds) and how to close it. */
export interface OperatorUnderTest {
  readonly operator: Operator;
  readonly db: ReturnType<typeof memoryStateDatabase>['db'];
  close(): void;
}

/** An operator over `transport` (router and ledger services), UTC, 10-minute plans; `extra` overrides any dependency. */
export function operatorUnderTest(transport: Transport, now: () => number, extra: Partial<OperatorContext> = {}): OperatorUnderTest {
  const state = memoryStateDatabase(PLAN_STORE_SCHEMA, PROMPT_REPEAT_STORE_SCHEMA);
  const operator = createOperator({
    router: createClient(RouterService, transport),
    ledger: createClient(LedgerService, transport),
    fleet: undefined,
    plans: createSqlitePlanStore(state.db),
    logger: pino({ level: 'silent' }),
    timeZone: 'UTC',
    planTtlMs: 600_000,
    callTimeoutMs: 1000,
    now,
    ...extra,
  });
  return { operator, db: state.db, close: () => state.close() };
}

/** The gRPC code and message a call failed with (the spec fails if it did not fail). */
export async function codeOf(p: Promise<unknown>): Promise<{ code: Code; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: e.code, message: e.rawMessage };
  }
  throw new Error('expected a failure');
}
