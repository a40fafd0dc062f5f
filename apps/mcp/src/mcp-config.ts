import { z } from 'zod';
import { baseConfigSchema, configValues } from '@sophia/platform';

/**
 * Every key the MCP server reads, parsed once at start. The server holds no state of its own: each
 * tool call is an operator API call to the gateway, made with the caller's API key (HTTP) or with
 * SOPHIA_MCP_API_KEY (stdio, where the client is the local user who started it).
 */
export const mcpConfigSchema = baseConfigSchema.extend({
  /** Streamable HTTP port (0 = any free port). @default 8090 */
  SOPHIA_MCP_PORT: configValues.port(8090),
  /** The gateway whose operator API the tools call, e.g. http://127.0.0.1:8080. */
  SOPHIA_GATEWAY_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL of the gateway' }),
  /** API key (with ops scopes) the stdio server acts with; HTTP callers bring their own. */
  SOPHIA_MCP_API_KEY: z.string().min(1).optional(),
  /** Deadline of one operator call to the gateway. @default 30000 */
  SOPHIA_MCP_CALL_TIMEOUT_MS: configValues.durationMs(30_000),
});

/** The parsed MCP server configuration. */
export type McpConfig = z.infer<typeof mcpConfigSchema>;
