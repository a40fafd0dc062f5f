import type { ServiceModule } from '@sophia/platform';

/**
 * The MCP server's registration in the hosting model: streamable HTTP on SOPHIA_MCP_PORT in front of
 * the gateway's operator API, which it cannot do without. Hosted with the gateway (`npm start`'s
 * single process) it calls the gateway's HTTP URL from that process; elsewhere the gateway's port at
 * SOPHIA_GATEWAY_ADDR. `node apps/mcp/src/main.ts` still runs it alone (and over stdio).
 */
export const mcpModule: ServiceModule = {
  name: 'mcp',
  portKey: 'SOPHIA_MCP_PORT',
  defaultPort: 8090,
  dependsOn: { gateway: 'required' },
  load: async () => (await import('./mcp-service.ts')).mcpService,
};
