import { Code, ConnectError, type CallOptions, type Client, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import type { SqlService } from '@sophia/contracts/sql';
import type { Logger } from '@sophia/platform';
import { presentedApiKey, type ApiKeyAuth } from './api-key-auth.ts';
import { scopeList, type Caller } from './api-key-scopes.ts';

/** Header carrying the authenticated tenant to the SQL service (it restricts tenant data to it and bills LLM calls to it). */
export const SQL_TENANT_HEADER = 'x-sophia-tenant';
/** Header carrying the authenticated key's scopes (`chat,admin`): only `admin` reads across tenants. */
export const SQL_SCOPES_HEADER = 'x-sophia-scopes';

/** The headers the SQL service trusts, from the authenticated caller (whatever the client sent is replaced). */
export function sqlCallerHeaders(caller: Caller): Record<string, string> {
  return { [SQL_TENANT_HEADER]: caller.tenant, [SQL_SCOPES_HEADER]: scopeList(caller).join(',') };
}

/** Options for {@link createSqlServiceProxy}. */
export interface SqlServiceProxyOptions {
  readonly sql: Client<typeof SqlService>;
  readonly auth: ApiKeyAuth;
  readonly logger: Logger;
  readonly requestTimeoutMs: number;
}

/** A SQL service failure as the client sees it: same code and message; anything else is a generic INTERNAL. */
export function sqlClientError(err: unknown, logger: Logger): ConnectError {
  if (!(err instanceof ConnectError)) {
    logger.error({ err }, 'unexpected error calling the SQL service');
    return new ConnectError('internal error', Code.Internal);
  }
  if (err.code === Code.Internal || err.code === Code.Unknown) logger.warn({ err }, 'sql service call failed');
  return new ConnectError(err.rawMessage, err.code);
}

/**
 * `sophia.sql.v1.SqlService` on the gateway's port (Connect, gRPC, gRPC-Web): the same API-key
 * authentication as chat, then a relay to the SQL service with the tenant in `x-sophia-tenant` and
 * the key's scopes in `x-sophia-scopes` (headers sent by the client are replaced, never trusted) and
 * the gateway's deadline. The SQL service restricts tenant data to that tenant unless `admin`.
 */
export function createSqlServiceProxy(options: SqlServiceProxyOptions): ServiceImpl<typeof SqlService> {
  const { sql, auth, logger } = options;
  const callOptions = (ctx: HandlerContext): CallOptions => {
    const caller = auth.callerFor(presentedApiKey(ctx.requestHeader));
    if (caller === undefined) throw new ConnectError('missing or invalid API key: send "authorization: Bearer <key>" metadata', Code.Unauthenticated);
    const requested = ctx.timeoutMs();
    return {
      headers: sqlCallerHeaders(caller),
      signal: ctx.signal,
      timeoutMs: Math.min(requested ?? options.requestTimeoutMs, options.requestTimeoutMs),
    };
  };
  const relay = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      throw sqlClientError(err, logger);
    }
  };
  return {
    ask: (req, ctx) => relay(() => sql.ask(req, callOptions(ctx))),
    validate: (req, ctx) => relay(() => sql.validate(req, callOptions(ctx))),
    describeCatalog: (req, ctx) => relay(() => sql.describeCatalog(req, callOptions(ctx))),
    async *execute(req, ctx) {
      const opts = callOptions(ctx);
      try {
        yield* sql.execute(req, opts);
      } catch (err) {
        throw sqlClientError(err, logger);
      }
    },
  };
}
