import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ConfigError, createLogger, loadConfig, type Logger } from '@sophia/platform';
import { mcpConfigSchema, type McpConfig } from './mcp-config.ts';
import { startMcpHttpServer, type McpHttpServer } from './mcp-http-server.ts';
import { createOperatorClient } from './operator-client.ts';
import { createOperatorMcpServer } from './operator-mcp-server.ts';

/** The version announced to MCP clients. */
export const MCP_SERVER_VERSION = '0.1.0';

/** Options for {@link startMcp}. */
export interface StartMcpOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `http` (default): streamable HTTP; `stdio`: one client on stdin/stdout (logs go to stderr). */
  readonly mode: 'http' | 'stdio';
  readonly announce?: (line: string) => void;
  readonly reportError?: (text: string) => void;
}

/** A started MCP server. */
export interface RunningMcp {
  readonly config: McpConfig;
  readonly logger: Logger;
  readonly http: McpHttpServer | undefined;
  stop(): Promise<void>;
}

/**
 * The MCP server's lifecycle minus signals: parse config (ConfigError naming every bad key), then
 * serve streamable HTTP (announcing one JSON line with the endpoint) or stdio (acting with
 * SOPHIA_MCP_API_KEY, which must then be set).
 */
export async function startMcp(options: StartMcpOptions): Promise<RunningMcp> {
  const report = options.reportError ?? ((t: string) => process.stderr.write(t));
  let config: McpConfig;
  try {
    config = loadConfig(mcpConfigSchema, { env: options.env });
    if (options.mode === 'stdio' && config.SOPHIA_MCP_API_KEY === undefined) throw new ConfigError(['SOPHIA_MCP_API_KEY: required for --stdio (an API key with ops scopes)']);
  } catch (err) {
    if (err instanceof ConfigError) report(`mcp: ${err.message}\n`);
    throw err;
  }
  // Logs go to stderr (the platform logger's default): in stdio mode stdout belongs to the protocol.
  const logger = createLogger({ service: 'mcp', level: config.SOPHIA_LOG_LEVEL });
  const client = createOperatorClient(config.SOPHIA_GATEWAY_URL);
  if (options.mode === 'stdio') {
    const server = createOperatorMcpServer({ client, apiKey: config.SOPHIA_MCP_API_KEY!, callTimeoutMs: config.SOPHIA_MCP_CALL_TIMEOUT_MS, version: MCP_SERVER_VERSION });
    await server.connect(new StdioServerTransport());
    return { config, logger, http: undefined, stop: () => server.close() };
  }
  const http = await startMcpHttpServer({ client, host: config.SOPHIA_BIND_HOST, port: config.SOPHIA_MCP_PORT, callTimeoutMs: config.SOPHIA_MCP_CALL_TIMEOUT_MS, version: MCP_SERVER_VERSION, logger });
  (options.announce ?? ((l: string) => process.stdout.write(`${l}\n`)))(JSON.stringify({ event: 'listening', service: 'mcp', http: http.url, pid: process.pid }));
  logger.info({ url: http.url, gateway: config.SOPHIA_GATEWAY_URL }, 'listening');
  return { config, logger, http, stop: () => http.close() };
}
