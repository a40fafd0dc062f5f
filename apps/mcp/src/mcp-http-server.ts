import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ConnectError, Code, type Client } from '@connectrpc/connect';
import type { OperatorService } from '@sophia/contracts/ops';
import type { Logger } from '@sophia/platform';
import { asCaller } from './operator-client.ts';
import { createOperatorMcpServer } from './operator-mcp-server.ts';

/** Options for {@link startMcpHttpServer}. */
export interface McpHttpServerOptions {
  readonly client: Client<typeof OperatorService>;
  readonly host: string;
  readonly port: number;
  readonly callTimeoutMs: number;
  readonly version: string;
  readonly logger: Logger;
}

/** A listening MCP HTTP server. */
export interface McpHttpServer {
  /** `http://host:port/mcp` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const OPS_SCOPES = new Set(['ops:read', 'ops:write', 'admin']);
const CHECK_TTL_MS = 30_000;

function presentedKey(req: IncomingMessage): string | undefined {
  const auth = req.headers['authorization'];
  if (typeof auth === 'string') return /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
  const x = req.headers['x-api-key'];
  return typeof x === 'string' && x.trim() !== '' ? x.trim() : undefined;
}

function jsonRpcError(res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message }, id: null });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}

/**
 * Streamable HTTP at `/mcp`, stateless (a fresh MCP server per request, bound to the caller's key),
 * guarded by an API key with an ops scope: the key is checked with the gateway's WhoAmI (cached
 * 30 s by its hash) — 401 without a valid key, 403 for a key with no ops scope. Binds the
 * configured host (127.0.0.1 unless SOPHIA_BIND_HOST says otherwise).
 */
export async function startMcpHttpServer(options: McpHttpServerOptions): Promise<McpHttpServer> {
  const checked = new Map<string, { ok: boolean; status: number; message: string; until: number }>();
  const authorize = async (key: string): Promise<{ ok: boolean; status: number; message: string }> => {
    const id = createHash('sha256').update(key).digest('hex');
    const hit = checked.get(id);
    if (hit && hit.until > Date.now()) return hit;
    let verdict: { ok: boolean; status: number; message: string };
    try {
      const me = await options.client.whoAmI({}, asCaller(key, options.callTimeoutMs));
      verdict = me.scopes.some((s) => OPS_SCOPES.has(s)) ? { ok: true, status: 200, message: '' } : { ok: false, status: 403, message: 'this API key lacks scope ops:read (the MCP server needs an ops scope)' };
    } catch (err) {
      const e = ConnectError.from(err);
      if (e.code !== Code.Unauthenticated) return { ok: false, status: 503, message: `the gateway could not check the API key: ${e.rawMessage}` };
      verdict = { ok: false, status: 401, message: 'missing or invalid API key: send "Authorization: Bearer <key>"' };
    }
    if (checked.size > 1000) checked.clear();
    checked.set(id, { ...verdict, until: Date.now() + CHECK_TTL_MS });
    return verdict;
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (path !== '/mcp') return jsonRpcError(res, 404, `no route ${path}: the MCP endpoint is /mcp`);
    const key = presentedKey(req);
    if (key === undefined) return jsonRpcError(res, 401, 'missing API key: send "Authorization: Bearer <key>" (a key with an ops scope)', { 'www-authenticate': 'Bearer' });
    const verdict = await authorize(key);
    if (!verdict.ok) return jsonRpcError(res, verdict.status, verdict.message, verdict.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
    const server = createOperatorMcpServer({ client: options.client, apiKey: key, callTimeoutMs: options.callTimeoutMs, version: options.version });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };
  const http: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      options.logger.error({ err }, 'mcp request failed');
      if (!res.headersSent) jsonRpcError(res, 500, 'internal error');
      else res.destroy();
    });
  });
  http.listen(options.port, options.host);
  await once(http, 'listening');
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/mcp`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
