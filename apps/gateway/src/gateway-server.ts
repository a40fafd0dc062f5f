import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { Client } from '@connectrpc/connect';
import { ChatService } from '@sophia/contracts/gateway';
import { SqlService } from '@sophia/contracts/sql';
import { DashboardService } from '@sophia/contracts/dashboard';
import type { InferenceService } from '@sophia/contracts/inference';
import type { LedgerService } from '@sophia/contracts/ledger';
import type { RouterService } from '@sophia/contracts/router';
import { addGrpcTooling, answerUnimplementedGrpc, type HealthState, type Logger, type ServiceTelemetry } from '@sophia/platform';
import { context } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import type { ApiKeyAuth } from './api-key-auth.ts';
import { createCorsHandler, type CorsOrigins } from './cors-policy.ts';
import { createChatServiceHandler } from './chat-service-handler.ts';
import { createDashboardServiceHandler } from './dashboard-service-handler.ts';
import { createLiveTraffic } from './live-traffic.ts';
import { observeRouter } from './observed-router.ts';
import { startDualProtocolServer, type DualProtocolServer } from './dual-protocol-server.ts';
import { createHttpMetrics, methodLabel, routeLabel } from './http-metrics.ts';
import { startHttpServerSpan } from './http-server-span.ts';
import { createOpenAiRoutes } from './openai-routes.ts';
import type { HttpResponseSink } from './openai-response-writer.ts';
import { createSqlServiceProxy } from './sql-service-proxy.ts';
import { createSqlRoutes, isSqlRoute } from './sql-routes.ts';
import { OperatorService } from '@sophia/contracts/ops';
import type { Operator } from './ops/operator.ts';
import { createOperatorServiceHandler } from './ops/operator-service-handler.ts';
import { createOpsRoutes, isOpsRoute } from './ops/ops-routes.ts';
import { createStaticAssets, isStaticRequest, type StaticResponse } from './static-assets.ts';

/** Options for {@link createGatewayServer}. */
export interface GatewayServerOptions {
  /** The router client; tests inject one over an in-memory transport or a fake server. */
  readonly router: Client<typeof RouterService>;
  /** Wraps the router client both chat paths use (the operator's prompt-fingerprint recorder). */
  readonly routerTap?: (router: Client<typeof RouterService>) => Client<typeof RouterService>;
  /** The SQL service client; when set, SqlService and `POST /v1/sql/ask` are served. */
  readonly sql?: Client<typeof SqlService> | undefined;
  /** The ledger client; DashboardService's reports need it (UNAVAILABLE without). */
  readonly ledger?: Client<typeof LedgerService> | undefined;
  /** The gpu-inference client; DashboardService's live snapshots show its capacity when set. */
  readonly gpu?: Client<typeof InferenceService> | undefined;
  readonly auth: ApiKeyAuth;
  /** The operator API; when set, OperatorService and `/v1/ops/*` are served. */
  readonly operator?: Operator | undefined;
  readonly logger: Logger;
  /** Registry for the HTTP metrics; omitted in tests that do not look at them. */
  readonly registry?: Registry | undefined;
  /** The gateway's tracer: each request is a server span, the root of its trace. @default ids only */
  readonly telemetry?: ServiceTelemetry | undefined;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** @default 120000 */
  readonly requestTimeoutMs?: number;
  /** How long a client may take to send its request head (slowloris, idle connections). @default 30000 */
  readonly headersTimeoutMs?: number;
  /** Browser origins allowed by CORS; undefined = no CORS headers. */
  readonly corsOrigins?: CorsOrigins | undefined;
  /** The built web app to serve at the root (GET/HEAD outside /v1); undefined = none. */
  readonly webRoot?: string | undefined;
}

/** A running gateway. */
export interface GatewayServer {
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  /** Graceful stop; see {@link DualProtocolServer.close}. */
  close(graceMs: number): Promise<void>;
}

/**
 * The gateway's one port: `ChatService` and `DashboardService` over Connect, gRPC and gRPC-Web (connect-node), with the
 * OpenAI-compatible REST routes as the adapter's fallback, on HTTP/1.1 and h2c alike; every
 * request is counted by route and status.
 */
export async function createGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const requestTimeoutMs = options.requestTimeoutMs ?? 120_000;
  const metrics = options.registry ? createHttpMetrics(options.registry) : undefined;
  // Filled in once listening; the REST routes ask it whether shutdown began.
  const state: { server?: DualProtocolServer } = {};
  // Every chat generation (REST and Connect) passes through one recorder: the dashboards' live view.
  const traffic = createLiveTraffic();
  const router = (options.routerTap ?? ((r) => r))(observeRouter(options.router, traffic));
  const rest = createOpenAiRoutes({
    router,
    auth: options.auth,
    logger: options.logger,
    maxBodyBytes,
    requestTimeoutMs,
    isDraining: () => state.server?.draining ?? false,
  });
  const chat = createChatServiceHandler({ router, auth: options.auth, logger: options.logger, requestTimeoutMs, operator: options.operator });
  const sqlOptions = options.sql ? { sql: options.sql, auth: options.auth, logger: options.logger, requestTimeoutMs } : undefined;
  const sqlRoutes = sqlOptions ? createSqlRoutes({ ...sqlOptions, maxBodyBytes }) : undefined;
  const web = options.webRoot === undefined ? undefined : createStaticAssets({ root: options.webRoot, logger: options.logger });
  const operator = options.operator;
  const opsRoutes = operator ? createOpsRoutes({ operator, auth: options.auth, logger: options.logger, maxBodyBytes }) : undefined;
  let health: HealthState | undefined;
  const adapter = connectNodeAdapter({
    routes: (r) => {
      r.service(ChatService, chat);
      if (sqlOptions) r.service(SqlService, createSqlServiceProxy(sqlOptions));
      r.service(DashboardService, createDashboardServiceHandler({ auth: options.auth, router: options.router, ledger: options.ledger, gpu: options.gpu, traffic, logger: options.logger }));
      if (operator) r.service(OperatorService, createOperatorServiceHandler({ operator, auth: options.auth, logger: options.logger }));
      // grpcurl / buf curl / probes work without .proto files: reflection of what is served, and health.
      health = addGrpcTooling(r, [ChatService, DashboardService, ...(sqlOptions ? [SqlService] : []), ...(operator ? [OperatorService] : [])]);
    },
    readMaxBytes: maxBodyBytes,
    fallback: (req, res) => {
      if (answerUnimplementedGrpc(req, res)) return;
      if (web && isStaticRequest(req.method, req.url)) return web(req, res as unknown as StaticResponse);
      if (sqlRoutes && isSqlRoute(req.url)) return sqlRoutes(req, res as unknown as HttpResponseSink);
      if (opsRoutes && isOpsRoute(req.url)) return opsRoutes(req, res as unknown as HttpResponseSink);
      return rest(req, res as unknown as HttpResponseSink);
    },
  });
  const cors = options.corsOrigins === undefined ? undefined : createCorsHandler(options.corsOrigins);
  const host = options.host ?? '127.0.0.1';
  const running = await startDualProtocolServer(
    (req, res) => {
      const started = process.hrtime.bigint();
      const route = routeLabel(req.url);
      const method = methodLabel(req.method);
      const span = startHttpServerSpan(options.telemetry, req, route, method);
      res.once('close', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const labels = { route, method, status: res.statusCode };
        metrics?.observe(labels, seconds);
        span.end(res.statusCode, !res.writableFinished);
        options.logger.debug({ ...labels, ms: Math.round(seconds * 1000), aborted: !res.writableFinished }, 'request');
      });
      context.with(span.context, () => {
        if (cors?.(req, res)) return;
        adapter(req, res);
      });
    },
    { host, port: options.port ?? 0, ...(options.headersTimeoutMs !== undefined ? { headersTimeoutMs: options.headersTimeoutMs } : {}) },
  );
  state.server = running;
  health?.setServing(true);
  return {
    port: running.port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${running.port}`,
    close: (graceMs) => {
      health?.setServing(false);
      return running.close(graceMs);
    },
  };
}
