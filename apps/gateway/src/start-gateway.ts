import { FleetService } from '@sophia/contracts/fleet';
import { RouterService } from '@sophia/contracts/router';
import { SqlService } from '@sophia/contracts/sql';
import { InferenceService } from '@sophia/contracts/inference';
import { LedgerService } from '@sophia/contracts/ledger';
import type { HostedServiceContext, StartedService } from '@sophia/platform';
import { SCOPES } from './api-key-scopes.ts';
import { generateLocalApiKey, type ApiKeyEntry } from './api-key-auth.ts';
import { createApiKeySource } from './api-key-source.ts';
import type { GatewayConfig } from './gateway-config.ts';
import { createGatewayServer } from './gateway-server.ts';
import { openOperator } from './ops/open-operator.ts';
import { openTrafficPolicy } from './open-traffic-policy.ts';

/**
 * The gateway's start for its host (apps/mesh registry; `gateway-service.ts`): pick the API keys
 * (or the local-mode key, announced on the listening line), take the router, SQL, ledger and GPU
 * clients from the host (in process when co-hosted, gRPC otherwise), and serve the HTTP port.
 * The host owns config parsing, `/metrics`, the listening line and signals.
 */
export async function startGateway({ config, logger, metrics, telemetry, connect, port }: HostedServiceContext<GatewayConfig>): Promise<StartedService> {
  const localMode = config.SOPHIA_API_KEYS === undefined && config.SOPHIA_API_KEYS_FILE === undefined;
  const localApiKey = localMode ? (config.SOPHIA_GATEWAY_LOCAL_API_KEY ?? generateLocalApiKey()) : undefined;
  // Local mode's one key may do everything: it is the operator's own machine.
  const keys: ApiKeyEntry[] = config.SOPHIA_API_KEYS ?? (localApiKey ? [{ key: localApiKey, tenant: 'local', scopes: [...SCOPES] }] : []);
  // SOPHIA_API_KEYS_FILE adds keys that rotate without a restart (re-read on every change).
  const apiKeys = createApiKeySource({ fixed: keys, file: config.SOPHIA_API_KEYS_FILE, logger });
  if (localApiKey) logger.warn('SOPHIA_API_KEYS unset: local mode, one generated key (tenant "local", every scope), bound to 127.0.0.1 only');
  const router = connect(RouterService, 'router');
  if (!router) throw new Error('the gateway needs the router (SOPHIA_ROUTER_ADDR or SOPHIA_SERVICES with router)');
  const sql = connect(SqlService, 'sql');
  const ledger = connect(LedgerService, 'ledger');
  const gpu = connect(InferenceService, 'gpu-inference');
  const trafficPolicy = await openTrafficPolicy(config, logger, metrics.registry, ledger);
  const ops = await openOperator(config, router, ledger, logger, connect(FleetService, 'gpu-inference'), trafficPolicy.rateLimits);
  const server = await createGatewayServer({
    router,
    sql,
    ledger,
    gpu,
    operator: ops.operator,
    // Traffic policies first: a refused request is neither routed nor recorded as an answered prompt.
    routerTap: (r) => trafficPolicy.wrap(ops.prompts.wrap(r)),
    auth: apiKeys.auth,
    logger,
    registry: metrics.registry,
    telemetry,
    host: config.SOPHIA_BIND_HOST,
    port,
    maxBodyBytes: config.SOPHIA_GATEWAY_MAX_BODY_BYTES,
    requestTimeoutMs: config.SOPHIA_GATEWAY_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: config.SOPHIA_GATEWAY_HEADERS_TIMEOUT_MS,
    corsOrigins: config.SOPHIA_CORS_ORIGINS,
    webRoot: config.SOPHIA_WEB_DIR,
  });
  logger.info({ http: server.url, keys: apiKeys.count() }, 'gateway serving');
  return {
    services: [],
    listening: { http: server.url, ...(localApiKey ? { apiKey: localApiKey } : {}) },
    close: async () => {
      await server.close(config.SOPHIA_SHUTDOWN_GRACE_MS);
      await ops.close();
      apiKeys.close();
      await trafficPolicy.close();
    },
  };
}
