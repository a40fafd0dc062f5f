// The budget and audit RPCs of LedgerService: Reserve / Commit / Release around each upstream call,
// SetBudget / GetBudget (admin, audited), BudgetStatus for the router's step-down rule, AppendAudit.
import { randomUUID } from 'node:crypto';
import { timestampFromMs, timestampMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import type { LedgerService } from '@sophia/contracts/ledger';
import { backendFromProto, type PriceCatalog } from '@sophia/price-catalog';
import type { BudgetCalendar } from './budget-calendar.ts';
import { utilisation, type BudgetStore } from './budget-store.ts';
import { budgetExceededError, formatUsd, scopeFromWire, stateToWire, windowFromWire } from './budget-wire.ts';
import type { CatalogHistory } from './catalog-history.ts';
import { fieldError } from './field-error.ts';
import type { LedgerMetrics } from './ledger-metrics.ts';
import { MAX_TEXT_LENGTH, requireBackend, requireModel, usageEventToRecord } from './usage-event-record.ts';
import type { UsageStore } from './usage-store.ts';
import { quoteWorstCase } from './worst-case-quote.ts';

/** Longest reservation TTL a caller may ask for (a day). */
export const MAX_RESERVATION_TTL_MS = 86_400_000;
/** Longest audit details text. */
export const MAX_AUDIT_DETAILS_LENGTH = 16_384;

/** What the budget RPCs are built from. */
export interface BudgetHandlerDeps {
  readonly store: UsageStore & BudgetStore;
  readonly catalogs: CatalogHistory;
  readonly calendar: BudgetCalendar;
  readonly clock: () => Date;
  /** TTL of reservations whose request does not name one. */
  readonly reservationTtlMs: number;
  readonly storeCall: <T>(operation: string, call: () => Promise<T>) => Promise<T>;
  readonly metrics?: Pick<LedgerMetrics, 'observeRecord' | 'observeReserve' | 'observeSettlement'>;
  /** Told of a commit that settled no reservation (the request was served without a budget check). */
  readonly logger?: { warn?(details: object, message: string): void };
}

function text(value: string, field: string, required = true, max = MAX_TEXT_LENGTH): string {
  if (required && value.trim() === '') throw fieldError(field, 'is required');
  if (value.length > max) throw fieldError(field, `is longer than ${max} characters`);
  return value;
}

type BudgetMethods = Pick<
  ServiceImpl<typeof LedgerService>,
  'reserve' | 'commit' | 'release' | 'setBudget' | 'getBudget' | 'budgetStatus' | 'appendAudit'
>;

/** Builds the budget and audit RPCs. */
export function createBudgetHandler(deps: BudgetHandlerDeps): BudgetMethods {
  const { store, calendar, storeCall } = deps;
  return {
    async reserve(request) {
      const reservationId = text(request.requestId, 'request_id');
      const tenant = text(request.tenant, 'tenant');
      const apiKey = text(request.apiKey, 'api_key', false);
      const catalog: PriceCatalog = deps.catalogs.current();
      const model = requireModel(catalog, request.model, 'model');
      const backend = requireBackend(model, request.backend, 'backend');
      if (request.ttlMs > MAX_RESERVATION_TTL_MS) throw fieldError('ttl_ms', `must be at most ${MAX_RESERVATION_TTL_MS}`);
      // The provider bills its own prompt count (tokenizer, chat template): hold the most it may bill
      // (worst-case-quote.ts, the same price Quote answers).
      const { amountMicroUsd: amount } = await quoteWorstCase({
        store,
        storeCall,
        operation: 'reserve',
        catalog,
        modelId: model.id,
        backend,
        promptEstimate: request.promptTokens,
        maxTokens: request.maxTokens === 0 ? undefined : request.maxTokens,
      });
      const nowMs = deps.clock().getTime();
      const ttlMs = request.ttlMs === 0 ? deps.reservationTtlMs : request.ttlMs;
      const outcome = await storeCall('reserve', () =>
        store.reserve({ tenant, reservationId, amountMicroUsd: amount, nowMs, ttlMs, model: model.id, apiKey, promptEstimate: request.promptTokens }),
      );
      deps.metrics?.observeReserve(outcome.granted);
      if (!outcome.granted) {
        if (outcome.exceeded === undefined) throw new ConnectError(`budget exceeded: tenant '${tenant}'`, Code.ResourceExhausted);
        throw budgetExceededError(outcome.exceeded, amount, nowMs, calendar.timeZone);
      }
      return {
        reservationId,
        worstCase: { microUsd: BigInt(amount) },
        expiresAt: timestampFromMs(nowMs + ttlMs),
        budgets: outcome.states.map(stateToWire),
      };
    },

    async commit(request) {
      const reservationId = text(request.reservationId, 'reservation_id');
      const apiKey = text(request.apiKey, 'api_key', false);
      const event = request.event;
      const catalog = deps.catalogs.forUsage(event?.model ?? '', backendFromProto(event?.backend ?? 0));
      const base = usageEventToRecord(event, catalog, deps.clock());
      const record = apiKey === '' ? base : { ...base, apiKey };
      const outcome = await storeCall('commit', () => store.record(record, { reservationId }));
      deps.metrics?.observeRecord(outcome.record, outcome.recorded);
      deps.metrics?.observeSettlement(outcome);
      if (outcome.recorded && outcome.reservationHeld === false) {
        deps.logger?.warn?.({ requestId: record.requestId, reservationId }, 'usage committed without a held reservation: this request was served without a budget check');
      }
      return { recorded: outcome.recorded, cost: { microUsd: BigInt(outcome.record.costMicroUsd) } };
    },

    async release(request) {
      const reservationId = text(request.reservationId, 'reservation_id');
      const tenant = text(request.tenant, 'tenant');
      return { released: await storeCall('release', () => store.release(tenant, reservationId)) };
    },

    async setBudget(request) {
      const scope = scopeFromWire(request.scope, 'scope');
      const window = windowFromWire(request.window, 'window');
      const actor = text(request.actor, 'actor');
      const reason = text(request.reason, 'reason', false, MAX_AUDIT_DETAILS_LENGTH);
      let limit: number | undefined;
      if (request.limit !== undefined) {
        const micro = request.limit.microUsd;
        if (micro < 0n || micro > BigInt(Number.MAX_SAFE_INTEGER)) throw fieldError('limit.micro_usd', 'must be between 0 and 2^53-1');
        limit = Number(micro);
      }
      const nowMs = deps.clock().getTime();
      const previous = await storeCall('setBudget', () => store.setLimit(scope, window, limit));
      await storeCall('audit', () =>
        store.appendAudit({
          auditId: randomUUID(),
          timeMs: nowMs,
          actor,
          action: 'budget.set',
          subject: scope.tenant,
          details: JSON.stringify({
            scope,
            window,
            previousMicroUsd: previous ?? null,
            limitMicroUsd: limit ?? null,
            summary: `${window} limit ${previous === undefined ? 'none' : formatUsd(previous)} → ${limit === undefined ? 'none' : formatUsd(limit)}`,
            reason,
          }),
        }),
      );
      const states = await storeCall('status', () => store.status(scope, nowMs));
      return {
        ...(previous === undefined ? {} : { previousLimit: { microUsd: BigInt(previous) } }),
        budgets: states.map(stateToWire),
      };
    },

    async getBudget(request) {
      const scope = scopeFromWire(request.scope, 'scope');
      const states = await storeCall('status', () => store.status(scope, deps.clock().getTime()));
      return { budgets: states.map(stateToWire) };
    },

    async budgetStatus(request) {
      const tenant = text(request.tenant, 'tenant');
      const states = await storeCall('status', () => store.tenantStatus(tenant, deps.clock().getTime()));
      return { budgets: states.map(stateToWire), maxUtilisation: Math.max(0, ...states.map(utilisation)) };
    },

    async appendAudit(request) {
      const actor = text(request.actor, 'actor');
      const action = text(request.action, 'action');
      const subject = text(request.subject, 'subject', false);
      const details = text(request.details, 'details', false, MAX_AUDIT_DETAILS_LENGTH);
      const timeMs = request.time === undefined ? deps.clock().getTime() : Math.floor(timestampMs(request.time));
      if (!Number.isSafeInteger(timeMs) || timeMs < 0) throw fieldError('time', 'must be after 1970-01-01');
      const auditId = randomUUID();
      await storeCall('audit', () => store.appendAudit({ auditId, timeMs, actor, action, subject, details }));
      return { auditId };
    },
  };
}
