import { Code, ConnectError, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import { create, toJson, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import {
  OperatorService,
  WhoAmIResponseSchema,
  type Plan,
  type CommandResult,
  type Optimization,
} from '@sophia/contracts/ops';
import type { CommandIntent } from '@sophia/ops-interpreter';
import type { Logger } from '@sophia/platform';
import { presentedApiKey, type ApiKeyAuth } from '../api-key-auth.ts';
import { scopeList, type Caller } from '../api-key-scopes.ts';
import type { CommandOutcome, Operator } from './operator.ts';

/** Options for {@link createOperatorServiceHandler}. */
export interface OperatorServiceHandlerOptions {
  readonly operator: Operator;
  readonly auth: ApiKeyAuth;
  readonly logger: Logger;
}

/** The caller behind a request's API key; UNAUTHENTICATED without a valid one. */
export function operatorCaller(auth: ApiKeyAuth, headers: Headers): Caller {
  const caller = auth.callerFor(presentedApiKey(headers));
  if (caller === undefined) throw new ConnectError('missing or invalid API key: send "authorization: Bearer <key>" metadata', Code.Unauthenticated);
  return caller;
}

/** A request message as command args: its set fields under their proto (= CLI) names. */
export function argsOf<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Record<string, unknown> {
  return toJson(schema, message, { useProtoFieldName: true }) as Record<string, unknown>;
}

/** Errors a client may see as they are; anything else is logged and answered INTERNAL. */
export function operatorError(err: unknown, logger: Logger): ConnectError {
  if (err instanceof ConnectError) {
    if (err.code === Code.Internal || err.code === Code.Unknown) logger.warn({ err }, 'operator command failed');
    if (err.code === Code.Unavailable || err.code === Code.DeadlineExceeded) return new ConnectError(`a mesh service did not answer: ${err.rawMessage}`, err.code);
    return new ConnectError(err.rawMessage, err.code);
  }
  logger.error({ err }, 'unexpected operator error');
  return new ConnectError('internal error', Code.Internal);
}

const expect = {
  result(o: CommandOutcome): CommandResult {
    if (o.kind !== 'result') throw new ConnectError('internal error: a read answered a plan', Code.Internal);
    return o.result;
  },
  plan(o: CommandOutcome): Plan {
    if (o.kind !== 'plan') throw new ConnectError('internal error: a write answered no plan', Code.Internal);
    return o.plan;
  },
  optimization(o: CommandOutcome): Optimization {
    if (o.kind !== 'optimization') throw new ConnectError('internal error: optimize answered no optimization', Code.Internal);
    return o.optimization;
  },
};

/**
 * `sophia.ops.v1.OperatorService` for Connect, gRPC and gRPC-Web: API-key auth, then the
 * transport-free {@link Operator}. Each typed RPC is the command of the same name, so the proto
 * request, the REST body and the `ops parse` args are validated by one schema.
 */
export function createOperatorServiceHandler(options: OperatorServiceHandlerOptions): ServiceImpl<typeof OperatorService> {
  const { operator, auth, logger } = options;
  const run = async <T>(ctx: HandlerContext, fn: (caller: Caller) => Promise<T>): Promise<T> => {
    try {
      return await fn(operatorCaller(auth, ctx.requestHeader));
    } catch (err) {
      throw operatorError(err, logger);
    }
  };
  const exec = <Desc extends DescMessage>(intent: CommandIntent, schema: Desc) => (req: MessageShape<Desc>, ctx: HandlerContext) => run(ctx, (c) => operator.execute(c, intent, argsOf(schema, req)));
  const methods = OperatorService.method;
  return {
    whoAmI: (_req, ctx) => run(ctx, async (c) => create(WhoAmIResponseSchema, { tenant: c.tenant, scopes: scopeList(c) })),
    runCommand: (req, ctx) => run(ctx, (c) => operator.runText(c, req.text)),
    confirmPlan: (req, ctx) => run(ctx, (c) => operator.confirm(c, req.planId)),
    getPlan: (req, ctx) => run(ctx, async (c) => ({ plan: await operator.getPlan(c, req.planId) })),
    getUsageReport: async (req, ctx) => ({ result: expect.result(await exec('usage.report', methods.getUsageReport.input)(req, ctx)) }),
    getSavingsReport: async (req, ctx) => ({ result: expect.result(await exec('savings.report', methods.getSavingsReport.input)(req, ctx)) }),
    compareCosts: async (req, ctx) => ({ result: expect.result(await exec('costs.compare', methods.compareCosts.input)(req, ctx)) }),
    optimizeCosts: async (req, ctx) => ({ optimization: expect.optimization(await exec('costs.optimize', methods.optimizeCosts.input)(req, ctx)) }),
    getBudget: async (req, ctx) => ({ result: expect.result(await exec('budget.show', methods.getBudget.input)(req, ctx)) }),
    listOverrides: async (req, ctx) => ({ result: expect.result(await exec('overrides.list', methods.listOverrides.input)(req, ctx)) }),
    getBreakers: async (req, ctx) => ({ result: expect.result(await exec('breakers.show', methods.getBreakers.input)(req, ctx)) }),
    listGpuInstances: async (req, ctx) => ({ result: expect.result(await exec('gpu.list', methods.listGpuInstances.input)(req, ctx)) }),
    routeNext: async (req, ctx) => ({ plan: expect.plan(await exec('route.next', methods.routeNext.input)(req, ctx)) }),
    pinRoute: async (req, ctx) => ({ plan: expect.plan(await exec('route.pin', methods.pinRoute.input)(req, ctx)) }),
    splitTraffic: async (req, ctx) => ({ plan: expect.plan(await exec('traffic.split', methods.splitTraffic.input)(req, ctx)) }),
    clearOverrides: async (req, ctx) => ({ plan: expect.plan(await exec('overrides.clear', methods.clearOverrides.input)(req, ctx)) }),
    setBudget: async (req, ctx) => ({ plan: expect.plan(await exec('budget.set', methods.setBudget.input)(req, ctx)) }),
    launchGpuInstances: async (req, ctx) => ({ plan: expect.plan(await exec('gpu.launch', methods.launchGpuInstances.input)(req, ctx)) }),
    terminateGpuInstances: async (req, ctx) => ({ plan: expect.plan(await exec('gpu.terminate', methods.terminateGpuInstances.input)(req, ctx)) }),
    getRateLimits: async (req, ctx) => ({ result: expect.result(await exec('ratelimits.show', methods.getRateLimits.input)(req, ctx)) }),
    setRateLimits: async (req, ctx) => ({ plan: expect.plan(await exec('ratelimits.set', methods.setRateLimits.input)(req, ctx)) }),
  };
}
