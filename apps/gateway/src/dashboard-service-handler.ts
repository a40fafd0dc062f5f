import { create } from '@bufbuild/protobuf';
import { timestampFromMs, timestampMs, type Timestamp } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type Client, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import type { GetCapacityResponse, InferenceService } from '@sophia/contracts/inference';
import { TrafficWindowSchema, WatchLiveResponseSchema, type DashboardService, type TrafficWindow, type WatchLiveResponse } from '@sophia/contracts/dashboard';
import { Dimension, type LedgerService } from '@sophia/contracts/ledger';
import { RouteInputSchema, type BreakerStatus, type BreakerTransition, type RouterService } from '@sophia/contracts/router';
import type { Logger } from '@sophia/platform';
import { presentedApiKey, type ApiKeyAuth } from './api-key-auth.ts';
import { requireScope, tenantInScope, type Caller } from './api-key-scopes.ts';
import { validateChatInput } from './chat-input-validation.ts';
import type { LiveTraffic, TrafficFigures } from './live-traffic.ts';

/** Options for {@link createDashboardServiceHandler}. */
export interface DashboardServiceOptions {
  readonly auth: ApiKeyAuth;
  readonly router: Client<typeof RouterService>;
  /** Unset: the report methods answer UNAVAILABLE naming SOPHIA_LEDGER_ADDR. */
  readonly ledger?: Client<typeof LedgerService> | undefined;
  /** Unset: snapshots carry no GPU capacity. */
  readonly gpu?: Client<typeof InferenceService> | undefined;
  readonly traffic: LiveTraffic;
  readonly logger: Logger;
  /** Deadline of each backend call. @default 10000 */
  readonly callTimeoutMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

const SERIES_LENGTH = 60;

function invalid(field: string, message: string): ConnectError {
  return new ConnectError(`${field}: ${message}`, Code.InvalidArgument);
}

/** A backend failure as the client sees it: same code and message; anything else is INTERNAL. */
function relayed(err: unknown, logger: Logger): ConnectError {
  if (err instanceof ConnectError) return new ConnectError(err.rawMessage, err.code);
  logger.error({ err }, 'unexpected error in DashboardService');
  return new ConnectError('internal error', Code.Internal);
}

function checkPeriod(start: Timestamp | undefined, end: Timestamp | undefined): void {
  if (start && end && timestampMs(start) >= timestampMs(end)) throw invalid('end', 'must be after start');
}

function checkGroupBy(groupBy: readonly Dimension[]): void {
  const seen = new Set<Dimension>();
  groupBy.forEach((d, i) => {
    if (d === Dimension.UNSPECIFIED || Dimension[d] === undefined) throw invalid(`group_by[${i}]`, `unknown dimension ${d}`);
    if (seen.has(d)) throw invalid(`group_by[${i}]`, `${Dimension[d]} appears twice`);
    seen.add(d);
  });
}

function windowMessage(f: TrafficFigures): TrafficWindow {
  return create(TrafficWindowSchema, {
    end: timestampFromMs(f.endMs),
    windowMs: f.windowMs,
    requests: BigInt(f.requests),
    errors: BigInt(f.errors),
    fallbacks: BigInt(f.fallbacks),
    cancelled: BigInt(f.cancelled),
    latencyP50Ms: f.p50Ms,
    latencyP95Ms: f.p95Ms,
    latencyP99Ms: f.p99Ms,
  });
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * `DashboardService`: the dashboards' reads, each behind scope `ops:read` and the tenant rules of
 * the operator API (own tenant; another or everyone with `admin`). Reports are the ledger's own
 * messages, passed through untouched, so a dashboard shows exactly what the ledger computed.
 */
export function createDashboardServiceHandler(options: DashboardServiceOptions): ServiceImpl<typeof DashboardService> {
  const { auth, router, logger, traffic } = options;
  const now = options.now ?? Date.now;
  const timeoutMs = options.callTimeoutMs ?? 10_000;

  function reader(ctx: HandlerContext): Caller {
    const caller = auth.callerFor(presentedApiKey(ctx.requestHeader));
    if (caller === undefined) throw new ConnectError('missing or invalid API key: send "authorization: Bearer <key>" metadata', Code.Unauthenticated);
    requireScope(caller, 'ops:read');
    return caller;
  }

  function ledger(): Client<typeof LedgerService> {
    if (!options.ledger) throw new ConnectError('reports are unavailable: the gateway has no ledger address (SOPHIA_LEDGER_ADDR)', Code.Unavailable);
    return options.ledger;
  }

  async function call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw relayed(err, logger);
    }
  }

  async function snapshot(intervalMs: number, windowMs: number, signal: AbortSignal): Promise<WatchLiveResponse> {
    const t = now();
    // Windows end after this millisecond (exclusive end), so a request that ended just now counts.
    const end = t + 1;
    const problems: string[] = [];
    const [{ breakers, transitions }, gpu] = await Promise.all([
      router.getBreakers({}, { signal, timeoutMs: Math.min(timeoutMs, intervalMs) }).then(
        (r) => r,
        (err: unknown): { breakers: BreakerStatus[]; transitions: BreakerTransition[] } => {
          problems.push(`router: ${ConnectError.from(err).rawMessage}`);
          return { breakers: [], transitions: [] };
        },
      ),
      options.gpu?.getCapacity({}, { signal, timeoutMs: Math.min(timeoutMs, intervalMs) }).then(
        (r) => r,
        (err: unknown): GetCapacityResponse | undefined => {
          problems.push(`gpu-inference: ${ConnectError.from(err).rawMessage}`);
          return undefined;
        },
      ),
    ]);
    return create(WatchLiveResponseSchema, {
      time: timestampFromMs(t),
      current: windowMessage(traffic.window(end, windowMs)),
      series: traffic.series(end, intervalMs, SERIES_LENGTH).map(windowMessage),
      inFlight: traffic.inFlight(),
      breakers,
      breakerTransitions: transitions,
      gpuCapacity: gpu,
      problems,
    });
  }

  return {
    async getUsageReport(req, ctx) {
      const tenant = tenantInScope(reader(ctx), req.tenant, { everyoneForAdmin: true });
      checkPeriod(req.start, req.end);
      checkGroupBy(req.groupBy);
      const report = await call(() => ledger().getUsageReport({ start: req.start, end: req.end, groupBy: req.groupBy, tenant: tenant ?? '' }, { signal: ctx.signal, timeoutMs }));
      return { report, tenant: tenant ?? '' };
    },
    async getSavingsReport(req, ctx) {
      const tenant = tenantInScope(reader(ctx), req.tenant, { everyoneForAdmin: true });
      checkPeriod(req.start, req.end);
      const report = await call(() => ledger().getSavingsReport({ start: req.start, end: req.end, tenant: tenant ?? '' }, { signal: ctx.signal, timeoutMs }));
      return { report, tenant: tenant ?? '' };
    },
    async getBudgets(req, ctx) {
      const caller = reader(ctx);
      const tenant = tenantInScope(caller, req.tenant) ?? caller.tenant;
      const status = await call(() => ledger().budgetStatus({ tenant }, { signal: ctx.signal, timeoutMs }));
      return { status, tenant };
    },
    async explainRoute(req, ctx) {
      const caller = reader(ctx);
      const input = validateChatInput(req.input);
      const routeInput = create(RouteInputSchema, {
        requestId: `explain-${now().toString(36)}`,
        tenant: caller.tenant,
        messages: input.messages,
        params: input.params,
        model: input.model === 'auto' ? '' : input.model,
        workloadTag: input.workloadTag,
      });
      const explanation = await call(() => router.explain({ input: routeInput }, { signal: ctx.signal, timeoutMs }));
      return { explanation };
    },
    async *watchLive(req, ctx) {
      reader(ctx);
      const intervalMs = req.intervalMs || 5000;
      const windowMs = req.windowMs || 60_000;
      if (intervalMs < 1000 || intervalMs > 60_000) throw invalid('interval_ms', `must be between 1000 and 60000, got ${intervalMs}`);
      if (windowMs < 1000 || windowMs > 900_000) throw invalid('window_ms', `must be between 1000 and 900000, got ${windowMs}`);
      while (!ctx.signal.aborted) {
        yield await snapshot(intervalMs, windowMs, ctx.signal);
        await pause(intervalMs, ctx.signal);
      }
    },
  };
}
