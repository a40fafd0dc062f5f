import { addressKey, ConfigError, defineHostedService } from '@sophia/platform';
import { mcpConfigSchema } from './mcp-config.ts';
import { startMcpHttpServer } from './mcp-http-server.ts';
import { createOperatorClient } from './operator-client.ts';
import { MCP_SERVER_VERSION } from './start-mcp.ts';

/** Hosted, the gateway is found through the host (in process, or SOPHIA_GATEWAY_ADDR), not by URL. */
const hostedConfigSchema = mcpConfigSchema.omit({ SOPHIA_GATEWAY_URL: true, SOPHIA_MCP_API_KEY: true });

/** The gateway's base URL: its announced `http` URL when co-hosted, else `http://<SOPHIA_GATEWAY_ADDR>`. */
function gatewayUrl(listening: Readonly<Record<string, unknown>> | undefined, config: Record<string, unknown>): string {
  if (typeof listening?.['http'] === 'string') return listening['http'];
  const address = config[addressKey('gateway')];
  if (typeof address === 'string') return `http://${address}`;
  throw new ConfigError([`${addressKey('gateway')}: required — mcp calls the gateway's operator API, which this process does not host (add gateway to SOPHIA_SERVICES or give its host:port)`]);
}

/**
 * The MCP server as a hosted service: the same streamable HTTP server as `node apps/mcp/src/main.ts`
 * (stateless, each caller's own API key, checked with the gateway's WhoAmI), on the host's port for
 * SOPHIA_MCP_PORT, with no gRPC port of its own; its listening line carries `http` (`…/mcp`).
 */
export const mcpService = defineHostedService(hostedConfigSchema, async (ctx) => {
  const gateway = gatewayUrl(ctx.listeningOf('gateway'), ctx.config);
  const http = await startMcpHttpServer({
    client: createOperatorClient(gateway),
    host: ctx.config.SOPHIA_BIND_HOST,
    port: ctx.port,
    callTimeoutMs: ctx.config.SOPHIA_MCP_CALL_TIMEOUT_MS,
    version: MCP_SERVER_VERSION,
    logger: ctx.logger,
  });
  ctx.logger.info({ url: http.url, gateway }, 'mcp endpoint');
  return { services: [], listening: { http: http.url }, close: () => http.close() };
});
