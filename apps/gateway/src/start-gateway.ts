import { RouterService } from '@sophia/contracts/router';
import { SqlService } from '@sophia/contracts/sql';
import { InferenceService } from '@sophia/contracts/inference';
import { LedgerService } from '@sophia/contracts/ledger';
import { ConfigError, createLogger, createServiceClient, createServiceMetrics, loadConfig, startMetricsServer, type Logger, type MetricsServer } from '@sophia/platform';
import { SCOPES } from './api-key-scopes.ts';
import { createApiKeyAuth, generateLocalApiKey, type ApiKeyEntry } from './api-key-auth.ts';
import { gatewayConfigSchema, type GatewayConfig } from './gateway-config.ts';
import { createGatewayServer, type GatewayServer } from './gateway-server.ts';
import { openOperator } from './ops/open-operator.ts';

/** Options for {@link startGateway}. */
export interface StartGatewayOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Receives the one machine-readable "listening" line. @default stdout */
  readonly announce?: (line: string) => void;
  /** Receives configuration errors. @default stderr */
  readonly reportError?: (text: string) => void;
}

/** A started gateway process. */
export interface RunningGateway {
  readonly config: GatewayConfig;
  readonly server: GatewayServer;
  readonly metricsServer: MetricsServer;
  readonly logger: Logger;
  /** The generated key in local mode, else undefined. */
  readonly localApiKey: string | undefined;
  /** Graceful stop: drain the port within SOPHIA_SHUTDOWN_GRACE_MS, then close /metrics. */
  stop(): Promise<void>;
}

/**
 * The gateway's lifecycle minus process signals: parse config (throwing {@link ConfigError} with
 * every bad key after reporting it), pick the API keys (or generate the local-mode key), connect
 * the router client, serve the port and `/metrics`, and announce one JSON line.
 */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  let config: GatewayConfig;
  try {
    config = loadConfig(gatewayConfigSchema, { env: options.env });
  } catch (err) {
    if (err instanceof ConfigError) (options.reportError ?? ((t: string) => process.stderr.write(t)))(`gateway: ${err.message}\n`);
    throw err;
  }
  const logger = createLogger({ service: 'gateway', level: config.SOPHIA_LOG_LEVEL });
  const localApiKey = config.SOPHIA_API_KEYS === undefined ? generateLocalApiKey() : undefined;
  // Local mode's one key may do everything: it is the operator's own machine.
  const keys: ApiKeyEntry[] = config.SOPHIA_API_KEYS ?? [{ key: localApiKey!, tenant: 'local', scopes: [...SCOPES] }];
  if (localApiKey) logger.warn('SOPHIA_API_KEYS unset: local mode, one generated key (tenant "local", every scope), bound to 127.0.0.1 only');
  const metrics = createServiceMetrics('gateway');
  const router = createServiceClient(RouterService, config.SOPHIA_ROUTER_ADDR);
  const sql = config.SOPHIA_SQL_ADDR ? createServiceClient(SqlService, config.SOPHIA_SQL_ADDR) : undefined;
  const ledger = config.SOPHIA_LEDGER_ADDR ? createServiceClient(LedgerService, config.SOPHIA_LEDGER_ADDR) : undefined;
  const gpu = config.SOPHIA_GPU_INFERENCE_ADDR ? createServiceClient(InferenceService, config.SOPHIA_GPU_INFERENCE_ADDR) : undefined;
  const ops = await openOperator(config, router, ledger, logger);
  const server = await createGatewayServer({
    router,
    sql,
    ledger,
    gpu,
    operator: ops.operator,
    auth: createApiKeyAuth(keys),
    logger,
    registry: metrics.registry,
    host: config.SOPHIA_BIND_HOST,
    port: config.SOPHIA_GATEWAY_PORT,
    maxBodyBytes: config.SOPHIA_GATEWAY_MAX_BODY_BYTES,
    requestTimeoutMs: config.SOPHIA_GATEWAY_REQUEST_TIMEOUT_MS,
    corsOrigins: config.SOPHIA_CORS_ORIGINS,
    webRoot: config.SOPHIA_WEB_DIR,
  });
  const metricsServer = await startMetricsServer(metrics.registry, { host: config.SOPHIA_BIND_HOST, port: config.SOPHIA_GATEWAY_METRICS_PORT });
  const hostForUrl = config.SOPHIA_BIND_HOST.includes(':') ? `[${config.SOPHIA_BIND_HOST}]` : config.SOPHIA_BIND_HOST;
  const line = JSON.stringify({
    event: 'listening',
    service: 'gateway',
    http: server.url,
    metrics: `http://${hostForUrl}:${metricsServer.port}/metrics`,
    ...(localApiKey ? { apiKey: localApiKey } : {}),
    pid: process.pid,
  });
  (options.announce ?? ((l: string) => process.stdout.write(`${l}\n`)))(line);
  logger.info({ http: server.url, router: config.SOPHIA_ROUTER_ADDR, tenants: new Set(keys.map((k) => k.tenant)).size }, 'listening');
  let stopping: Promise<void> | undefined;
  return {
    config,
    server,
    metricsServer,
    logger,
    localApiKey,
    stop() {
      stopping ??= (async () => {
        logger.info({ graceMs: config.SOPHIA_SHUTDOWN_GRACE_MS }, 'draining');
        await server.close(config.SOPHIA_SHUTDOWN_GRACE_MS);
        await ops.close();
        await metricsServer.close();
        logger.info('stopped');
        logger.flush();
      })();
      return stopping;
    },
  };
}
