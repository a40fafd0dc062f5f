import { Code, ConnectError } from '@connectrpc/connect';
import { toJson } from '@bufbuild/protobuf';
import { ConfirmPlanResponseSchema, OptimizationSchema, PlanSchema, CommandResultSchema, RunCommandResponseSchema } from '@sophia/contracts/ops';
import { isCommandIntent } from '@sophia/ops-interpreter';
import type { Logger } from '@sophia/platform';
import type { ApiKeyAuth } from '../api-key-auth.ts';
import { scopeList } from '../api-key-scopes.ts';
import { readJsonBody, type BodySource } from '../body-reader.ts';
import { writeJson, writeOpenAiError, type HttpResponseSink } from '../openai-response-writer.ts';
import { headersFromNode } from '../request-context.ts';
import { httpStatusForCode } from '../status-to-http.ts';
import type { CommandOutcome, Operator } from './operator.ts';
import { operatorCaller, operatorError } from './operator-service-handler.ts';

/** Options for {@link createOpsRoutes}. */
export interface OpsRoutesOptions {
  readonly operator: Operator;
  readonly auth: ApiKeyAuth;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
}

/** The `/v1/ops/*` requests this handler answers. */
export function isOpsRoute(url: string | undefined): boolean {
  return (url ?? '').split('?')[0]!.startsWith('/v1/ops/');
}

const json = { useProtoFieldName: true } as const;

/** A command outcome as JSON: `{result}`, `{plan}` or `{optimization}`. */
function outcomeJson(o: CommandOutcome): Record<string, unknown> {
  if (o.kind === 'result') return { result: toJson(CommandResultSchema, o.result, json) };
  if (o.kind === 'plan') return { plan: toJson(PlanSchema, o.plan, json) };
  return { optimization: toJson(OptimizationSchema, o.optimization, json) };
}

/**
 * REST twin of OperatorService (JSON, snake_case like the `ops parse` args):
 * `GET /v1/ops/whoami`; `POST /v1/ops/run {"text"}`; `POST /v1/ops/commands/<intent> {args}`
 * (e.g. `/v1/ops/commands/route.next {"n":10,"backend":"gpu"}`); `GET /v1/ops/plans/<id>`;
 * `POST /v1/ops/plans/<id>/confirm`. Errors carry the gRPC code's HTTP status and the same message.
 */
export function createOpsRoutes(options: OpsRoutesOptions): (req: BodySource & { url?: string | undefined; method?: string | undefined; headers: NodeJS.Dict<string | string[]> }, res: HttpResponseSink) => void {
  const { operator, auth, logger } = options;
  const fail = (res: HttpResponseSink, err: unknown): void => {
    const e = operatorError(err, logger);
    const status = e.code === Code.FailedPrecondition || e.code === Code.Aborted ? 409 : httpStatusForCode(e.code);
    const type = status === 401 ? 'authentication_error' : status === 403 ? 'permission_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
    writeOpenAiError(res, { status, type, code: Code[e.code].replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase(), message: e.rawMessage, param: /^([a-z_]+):/.exec(e.rawMessage)?.[1] ?? null });
  };
  const route = async (req: Parameters<ReturnType<typeof createOpsRoutes>>[0], res: HttpResponseSink): Promise<void> => {
    const path = (req.url ?? '').split('?')[0]!;
    const method = req.method ?? 'GET';
    const headers = headersFromNode(req.headers);
    const caller = operatorCaller(auth, headers);
    const body = async (): Promise<Record<string, unknown>> => {
      const read = await readJsonBody(req, { maxBytes: options.maxBodyBytes, contentLength: headers.get('content-length') ?? undefined });
      if (!read.ok) throw new ConnectError(read.error.message, read.error.status === 413 ? Code.ResourceExhausted : Code.InvalidArgument);
      if (read.value === null || typeof read.value !== 'object' || Array.isArray(read.value)) throw new ConnectError('body: must be a JSON object', Code.InvalidArgument);
      return read.value as Record<string, unknown>;
    };
    const only = (allowed: string): void => {
      if (method !== allowed) throw new ConnectError(`use ${allowed} for ${path}`, Code.InvalidArgument);
    };
    if (path === '/v1/ops/whoami') {
      only('GET');
      return writeJson(res, 200, { tenant: caller.tenant, scopes: scopeList(caller) });
    }
    if (path === '/v1/ops/run') {
      only('POST');
      const b = await body();
      if (typeof b['text'] !== 'string') throw new ConnectError('text: must be a string', Code.InvalidArgument);
      return writeJson(res, 200, toJson(RunCommandResponseSchema, await operator.runText(caller, b['text']), json));
    }
    const command = /^\/v1\/ops\/commands\/([a-z.]+)$/.exec(path);
    if (command) {
      only('POST');
      const intent = command[1]!;
      if (!isCommandIntent(intent)) throw new ConnectError(`unknown command ${intent}`, Code.NotFound);
      return writeJson(res, 200, outcomeJson(await operator.execute(caller, intent, await body())));
    }
    const plan = /^\/v1\/ops\/plans\/([^/]+)(\/confirm)?$/.exec(path);
    if (plan) {
      const id = decodeURIComponent(plan[1]!);
      if (plan[2]) {
        only('POST');
        return writeJson(res, 200, toJson(ConfirmPlanResponseSchema, await operator.confirm(caller, id), json));
      }
      only('GET');
      return writeJson(res, 200, { plan: toJson(PlanSchema, await operator.getPlan(caller, id), json) });
    }
    throw new ConnectError(`unknown operator route ${path}; see /v1/ops/run, /v1/ops/commands/<intent>, /v1/ops/plans/<id>[/confirm], /v1/ops/whoami`, Code.NotFound);
  };
  return (req, res) => {
    route(req, res).catch((err: unknown) => fail(res, err));
  };
}

