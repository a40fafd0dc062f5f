// The reporting RPCs of LedgerService: GetUsageReport (usage, cost per request, latency percentiles,
// month-to-date and month-end projection, budgets), GetSavingsReport and GetBreakEven.
import { timestampFromMs, timestampMs } from '@bufbuild/protobuf/wkt';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { Backend } from '@sophia/contracts/common';
import type { LedgerService, UsageReportRowSchema } from '@sophia/contracts/ledger';
import type { BudgetCalendar } from './budget-calendar.ts';
import type { BudgetStore } from './budget-store.ts';
import { stateToWire } from './budget-wire.ts';
import { breakEven } from './break-even.ts';
import type { CatalogHistory } from './catalog-history.ts';
import { fieldError } from './field-error.ts';
import { baselineMicroUsdPerMonth, prorate, type GpuBaseline } from './gpu-baseline.ts';
import { allLargestTierCost, allServerlessCost, createSavingsAccumulator, singleProviderCost } from './savings-report.ts';
import { createUsageReportBuilder, type UsageReportRow } from './usage-report.ts';
import { usageQueryFromRequest } from './usage-query-request.ts';
import type { UsageStore } from './usage-store.ts';

/** Report configuration. */
export interface ReportSettings {
  readonly gpuBaseline: GpuBaseline;
}

/** $6,444 a month flat, the default GPU baseline. */
export const DEFAULT_REPORT_SETTINGS: ReportSettings = { gpuBaseline: { kind: 'flat', microUsdPerMonth: 6_444_000_000 } };

/** Longest break-even look-back. */
export const MAX_BREAK_EVEN_DAYS = 366;
const DAY_MS = 86_400_000;

/** What the report RPCs are built from. */
export interface ReportHandlerDeps {
  readonly store: UsageStore & BudgetStore;
  readonly catalogs: CatalogHistory;
  readonly calendar: BudgetCalendar;
  readonly clock: () => Date;
  readonly storeCall: <T>(operation: string, call: () => Promise<T>) => Promise<T>;
  readonly settings: ReportSettings;
}

function rowToWire(row: UsageReportRow): MessageInitShape<typeof UsageReportRowSchema> {
  return {
    keys: [...row.keys],
    requests: row.requests,
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    cost: { microUsd: row.costMicroUsd },
    costPerRequest: { microUsd: row.costPerRequestMicroUsd },
    latencyP50Ms: row.latencyP50Ms,
    latencyP95Ms: row.latencyP95Ms,
  };
}

type ReportMethods = Pick<ServiceImpl<typeof LedgerService>, 'getUsageReport' | 'getSavingsReport' | 'getBreakEven'>;

/** Builds the report RPCs. */
export function createReportHandler(deps: ReportHandlerDeps): ReportMethods {
  const { store, calendar, storeCall } = deps;
  return {
    async getUsageReport(request) {
      const now = deps.clock();
      const query = usageQueryFromRequest(request, now);
      const builder = createUsageReportBuilder(query.groupBy);
      await storeCall('scan', () => store.scan(query.startMs, query.endMs, query.tenant, builder.add));
      const nowMs = now.getTime();
      const monthStart = calendar.startsAtMs('month', nowMs);
      const monthEnd = calendar.resetsAtMs('month', nowMs);
      const mtd = await storeCall('query', () => store.query({ startMs: monthStart, endMs: nowMs + 1, groupBy: [], ...(query.tenant === undefined ? {} : { tenant: query.tenant }) }));
      const elapsed = BigInt(Math.max(1, nowMs + 1 - monthStart));
      const projection = (mtd.total.costMicroUsd * BigInt(monthEnd - monthStart)) / elapsed;
      const budgets = query.tenant === undefined ? [] : await storeCall('status', () => store.tenantStatus(query.tenant ?? '', nowMs));
      return {
        groupBy: [...request.groupBy],
        rows: builder.rows().map(rowToWire),
        total: rowToWire(builder.total()),
        monthToDate: { microUsd: mtd.total.costMicroUsd },
        monthEndProjection: { microUsd: projection },
        budgets: budgets.map(stateToWire),
      };
    },

    async getSavingsReport(request) {
      const nowMs = deps.clock().getTime();
      const startMs = request.start === undefined ? calendar.startsAtMs('month', nowMs) : timestampMs(request.start);
      const endMs = request.end === undefined ? nowMs + 1 : timestampMs(request.end);
      if (startMs > endMs) throw fieldError('start', 'must not be after end');
      const catalog = deps.catalogs.current();
      const savings = createSavingsAccumulator(catalog);
      const tenant = request.tenant === '' ? undefined : request.tenant;
      await storeCall('scan', () => store.scan(startMs, endMs, tenant, savings.add));
      let baseline: { microUsd: bigint; description: string };
      try {
        baseline = baselineMicroUsdPerMonth(deps.settings.gpuBaseline, catalog);
      } catch (error) {
        throw new ConnectError((error as Error).message, Code.FailedPrecondition);
      }
      const t = savings.totals;
      const gpuBaseline = prorate(baseline.microUsd, endMs - startMs);
      const money = (microUsd: bigint) => ({ microUsd });
      const single = singleProviderCost(t);
      const allServerless = allServerlessCost(t);
      const allLargestTier = allLargestTierCost(t, catalog.tiers.complex[0] ?? '');
      return {
        singleProviderName: single.name,
        singleProvider: money(single.cost),
        savingsVsSingleProvider: money(single.cost - t.actual),
        start: timestampFromMs(startMs),
        end: timestampFromMs(endMs),
        requests: t.requests,
        promptTokens: t.promptTokens,
        completionTokens: t.completionTokens,
        actual: money(t.actual),
        gpuBaseline: money(gpuBaseline),
        allLargestTier: money(allLargestTier),
        allServerless: money(allServerless),
        allGpu: money(t.allGpu),
        savingsVsGpuBaseline: money(gpuBaseline - t.actual),
        savingsVsLargestTier: money(allLargestTier - t.actual),
        savingsVsAllServerless: money(allServerless - t.actual),
        savingsVsAllGpu: money(t.allGpu - t.actual),
        cacheHits: t.cacheHits,
        savingsFromCache: money(t.cacheSavings),
        notes: [`gpu baseline: ${baseline.description}, ${baseline.microUsd} µ$/month prorated over the period`, ...[...t.notes].sort()],
      };
    },

    async getBreakEven(request) {
      const days = request.days === 0 ? 7 : request.days;
      if (days > MAX_BREAK_EVEN_DAYS) throw fieldError('days', `must be at most ${MAX_BREAK_EVEN_DAYS}`);
      const nowMs = deps.clock().getTime();
      const report = await storeCall('query', () =>
        store.query({ startMs: nowMs + 1 - days * DAY_MS, endMs: nowMs + 1, groupBy: ['workload_tag', 'model'] }),
      );
      const catalog = deps.catalogs.current();
      const rows = report.rows.map((row) => {
        const r = breakEven(
          catalog,
          { workloadTag: row.keys[0] ?? '', model: row.keys[1] ?? '', requests: row.requests, promptTokens: row.promptTokens, completionTokens: row.completionTokens },
          days,
        );
        return {
          workloadTag: r.workloadTag,
          model: r.model,
          requests: r.requests,
          promptTokens: r.promptTokens,
          completionTokens: r.completionTokens,
          ...(r.serverlessMicroUsd === undefined ? {} : { serverlessCost: { microUsd: r.serverlessMicroUsd } }),
          gpuInstanceType: r.gpuInstanceType,
          gpuInstances: r.gpuInstances,
          ...(r.gpuMicroUsd === undefined ? {} : { gpuCost: { microUsd: r.gpuMicroUsd } }),
          gpuUtilisation: r.gpuUtilisation,
          cheaper: r.cheaper === 'gpu' ? Backend.GPU : r.cheaper === 'serverless' ? Backend.SERVERLESS : Backend.UNSPECIFIED,
          breakEvenCompletionTokensPerDay: r.breakEvenCompletionTokensPerDay,
        };
      });
      return { days, rows };
    },
  };
}
