import { connect as http2Connect } from 'node:http2';
import { ConfigError, loadConfig } from '@sophia/platform';
import { corsOriginProblem } from './cors-policy.ts';
import { gatewayConfigSchema } from './gateway-config.ts';
import type { GatewayServer } from './gateway-server.ts';
import { jsonHeaders, startTestGateway } from './testing/gateway-harness.ts';

const APP = 'https://chat.sophia.example';
const hello = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] });

describe('CORS on the gateway port (real HTTP, in-memory router)', () => {
  let gateway: GatewayServer;
  let open: GatewayServer;
  let closed: GatewayServer;
  beforeAll(async () => {
    ({ gateway } = await startTestGateway({ corsOrigins: [APP] }));
    ({ gateway: open } = await startTestGateway({ corsOrigins: '*' }));
    ({ gateway: closed } = await startTestGateway({}));
  });
  afterAll(async () => {
    await Promise.all([gateway.close(100), open.close(100), closed.close(100)]);
  });

  const preflight = (base: string, origin: string, path = '/v1/chat/completions', headers = 'authorization, content-type, x-sophia-quality') =>
    fetch(`${base}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers } });

  it('answers a preflight from an allowed origin with the methods and headers the REST and Connect clients send', async () => {
    const res = await preflight(gateway.url, APP);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = res.headers.get('access-control-allow-headers')!.toLowerCase().split(',');
    for (const h of ['authorization', 'content-type', 'x-sophia-quality', 'x-request-timeout-ms', 'connect-protocol-version', 'x-grpc-web', 'traceparent']) expect(allowed).toContain(h);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('lets an allowed origin read the answer and the routing headers', async () => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders({ origin: APP }), body: hello });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    const exposed = res.headers.get('access-control-expose-headers')!.toLowerCase().split(',');
    for (const h of ['x-sophia-tier', 'x-sophia-cost-usd', 'x-request-id', 'retry-after', 'grpc-status']) expect(exposed).toContain(h);
    await res.arrayBuffer();
  });

  it('gives another origin no CORS headers (the browser withholds the answer), and still serves server-side clients', async () => {
    const pre = await preflight(gateway.url, 'https://evil.example');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    await pre.arrayBuffer();
    const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders({ origin: 'https://evil.example' }), body: hello });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('vary')).toContain('Origin');
    await res.arrayBuffer();
    const plain = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders(), body: hello });
    expect(plain.status).toBe(200);
    await plain.arrayBuffer();
  });

  it('allows every origin with *, and sends no CORS headers when unconfigured', async () => {
    const any = await preflight(open.url, 'http://localhost:5173');
    expect(any.status).toBe(204);
    expect(any.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const none = await fetch(`${closed.url}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders({ origin: APP }), body: hello });
    expect(none.status).toBe(200);
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
    await none.arrayBuffer();
  });

  it('answers preflights on HTTP/2 (h2c) too', async () => {
    const session = http2Connect(gateway.url);
    try {
      const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const req = session.request({ ':method': 'OPTIONS', ':path': '/sophia.gateway.v1.ChatService/Complete', origin: APP, 'access-control-request-method': 'POST' });
        req.once('response', (h) => resolve(h as Record<string, unknown>));
        req.once('error', reject);
        req.resume();
        req.end();
      });
      expect(headers[':status']).toBe(204);
      expect(headers['access-control-allow-origin']).toBe(APP);
    } finally {
      session.close();
    }
  });
});

describe('SOPHIA_CORS_ORIGINS', () => {
  const base = { SOPHIA_ROUTER_ADDR: 'localhost:7002' };
  const problems = (value: string): string[] => {
    try {
      loadConfig(gatewayConfigSchema, { env: { ...base, SOPHIA_CORS_ORIGINS: value } });
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return [...err.problems];
      throw err;
    }
  };

  it('parses a list of origins or *, and is off when unset', () => {
    expect(loadConfig(gatewayConfigSchema, { env: { ...base, SOPHIA_CORS_ORIGINS: `${APP}, http://localhost:5173` } }).SOPHIA_CORS_ORIGINS).toEqual([APP, 'http://localhost:5173']);
    expect(loadConfig(gatewayConfigSchema, { env: { ...base, SOPHIA_CORS_ORIGINS: '*' } }).SOPHIA_CORS_ORIGINS).toBe('*');
    expect(loadConfig(gatewayConfigSchema, { env: base }).SOPHIA_CORS_ORIGINS).toBeUndefined();
  });

  it('names the key and the bad origin', () => {
    expect(problems('chat.sophia.example')).toEqual([expect.stringMatching(/^SOPHIA_CORS_ORIGINS: 'chat\.sophia\.example' is not a URL/)]);
    expect(problems('https://chat.sophia.example/app')).toEqual([expect.stringMatching(/^SOPHIA_CORS_ORIGINS: .*origin only/)]);
    expect(problems('ftp://files.example')).toEqual([expect.stringMatching(/must use http or https/)]);
    expect(problems(`*,${APP}`)).toEqual([expect.stringMatching(/cannot be combined/)]);
  });

  it('accepts an origin with a port and a trailing slash', () => {
    expect(corsOriginProblem('http://localhost:5173/')).toBeUndefined();
    expect(corsOriginProblem('https://[::1]:8443')).toBeUndefined();
  });
});
