// LedgerService over a UsageStore and the live price catalog. A thin adapter: validation and pricing
// are in usage-event-record.ts / usage-query-request.ts, storage behind UsageStore.
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { LedgerService, UsageRowSchema } from '@sophia/contracts/ledger';
import { backendFromProto, listPrice, type PriceCatalog } from '@sophia/price-catalog';
import { BUDGET_OUTAGE_HEADER } from '@sophia/platform/wire';
import { createCatalogHistory } from './catalog-history.ts';
import { requireBackend, requireModel, rethrowLookup, usageEventToRecord } from './usage-event-record.ts';
import { usageQueryFromRequest } from './usage-query-request.ts';
import type { LedgerMetrics } from './ledger-metrics.ts';
import { storeRefusal } from './store-refusal.ts';
import { createBudgetCalendar, type BudgetCalendar } from './budget-calendar.ts';
import { createBudgetHandler } from './budget-handler.ts';
import type { BudgetStore } from './budget-store.ts';
import { createReportHandler, DEFAULT_REPORT_SETTINGS, type ReportSettings } from './report-handler.ts';
import type { UsageStore, UsageTotals } from './usage-store.ts';
import { quoteWorstCase } from './worst-case-quote.ts';

/** The little of a logger the handler needs (pino's `Logger` fits). */
export interface LedgerLogger {
  error(details: object, message: string): void;
  warn?(details: object, message: string): void;
}

/** What the ledger handler is built from; all injected so tests use fakes and fixed clocks. */
export interface LedgerHandlerDeps {
  readonly store: UsageStore & BudgetStore;
  /**
   * The current catalog; called per request so a reloaded catalog applies immediately. Usage of a
   * model a reload removed is still priced with the last catalog that had it (see catalog-history.ts).
   */
  readonly catalog: () => PriceCatalog;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** Where store failures are logged (their cause never reaches clients). */
  readonly logger?: LedgerLogger;
  /** Ledger counters (records, cost, tokens); omitted in most unit tests. */
  readonly metrics?: Pick<LedgerMetrics, 'observeRecord' | 'observeReserve' | 'observeSettlement'>;
  /** Budget periods (time zone). @default UTC */
  readonly calendar?: BudgetCalendar;
  /** Where the store writes (the state file's path), named when it is full. */
  readonly stateLocation?: string;
  /** TTL of reservations that do not name one. @default 300000 (5 min) */
  readonly reservationTtlMs?: number;
  /** Savings-report and break-even settings. @default DEFAULT_REPORT_SETTINGS */
  readonly reports?: ReportSettings;
}

function rowOf(keys: readonly string[], totals: UsageTotals): MessageInitShape<typeof UsageRowSchema> {
  return {
    keys: [...keys],
    requests: totals.requests,
    promptTokens: totals.promptTokens,
    completionTokens: totals.completionTokens,
    cachedPromptTokens: totals.cachedPromptTokens,
    cost: { microUsd: totals.costMicroUsd },
  };
}

/** Builds the LedgerService implementation. */
export function createLedgerHandler(deps: LedgerHandlerDeps): ServiceImpl<typeof LedgerService> {
  const clock = deps.clock ?? (() => new Date());
  const catalogs = createCatalogHistory(deps.catalog);
  const storeCall = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      // A known refusal repeats for every request while its condition lasts: one line each, no stack.
      const refusal = storeRefusal(error, deps.stateLocation);
      if (refusal !== undefined) {
        const cause = refusal.metadata.get(BUDGET_OUTAGE_HEADER);
        const line = { operation, cause, reason: refusal.rawMessage };
        if (deps.logger?.warn) deps.logger.warn(line, `${operation} refused: ${cause}`);
        else deps.logger?.error(line, `${operation} refused: ${cause}`);
        throw refusal;
      }
      deps.logger?.error({ err: error, operation }, 'usage store failed');
      throw new ConnectError('usage store unavailable', Code.Unavailable);
    }
  };

  const calendar = deps.calendar ?? createBudgetCalendar('UTC');
  return {
    ...createBudgetHandler({
      store: deps.store,
      catalogs,
      calendar,
      clock,
      reservationTtlMs: deps.reservationTtlMs ?? 300_000,
      storeCall,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      ...(deps.logger ? { logger: deps.logger } : {}),
    }),
    ...createReportHandler({ store: deps.store, catalogs, calendar, clock, storeCall, settings: deps.reports ?? DEFAULT_REPORT_SETTINGS }),

    async recordUsage(request) {
      const event = request.event;
      const catalog = catalogs.forUsage(event?.model ?? '', backendFromProto(event?.backend ?? 0));
      const record = usageEventToRecord(event, catalog, clock());
      const outcome = await storeCall('record', () => deps.store.record(record));
      deps.metrics?.observeRecord(outcome.record, outcome.recorded);
      return { recorded: outcome.recorded, cost: { microUsd: BigInt(outcome.record.costMicroUsd) } };
    },

    async queryUsage(request) {
      const query = usageQueryFromRequest(request, clock());
      const report = await storeCall('query', () => deps.store.query(query));
      return {
        groupBy: [...request.groupBy],
        rows: report.rows.map((r) => rowOf(r.keys, r)),
        total: rowOf([], report.total),
      };
    },

    async quote(request) {
      const catalog = catalogs.current();
      const model = requireModel(catalog, request.model, 'model');
      const backend = requireBackend(model, request.backend, 'backend');
      // The same worst case a Reserve of this request holds: the prompt priced at what the provider may bill.
      const quoted = await quoteWorstCase({
        store: deps.store,
        storeCall,
        operation: 'quote',
        catalog,
        modelId: model.id,
        backend,
        promptEstimate: request.promptTokens,
        maxTokens: request.maxTokens === 0 ? undefined : request.maxTokens,
      });
      try {
        const rates = listPrice(catalog, model.id, backend);
        return {
          worstCase: { microUsd: BigInt(quoted.amountMicroUsd) },
          inputMicroUsdPerMtok: BigInt(rates.inputMicroUsdPerMTok),
          outputMicroUsdPerMtok: BigInt(rates.outputMicroUsdPerMTok),
          billablePromptTokens: quoted.billablePromptTokens,
        };
      } catch (error) {
        rethrowLookup(error);
      }
    },
  };
}
