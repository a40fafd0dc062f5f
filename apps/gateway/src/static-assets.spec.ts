import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { GatewayServer } from './gateway-server.ts';
import { startTestGateway } from './testing/gateway-harness.ts';

/** A raw GET (fetch would normalise `..` away before sending). */
function rawGet(url: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolveGet, reject) => {
    const { hostname, port } = new URL(url);
    const req = request({ hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gateway static assets (the web app at the root)', () => {
  let dir: string;
  let gateway: GatewayServer;
  const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sophia-web-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(join(dir, 'assets', 'index-abc123.js'), script);
    await writeFile(join(dir, 'assets', 'index-abc123.css'), 'body{}');
    ({ gateway } = await startTestGateway({ webRoot: dir }));
  });
  afterAll(async () => {
    await gateway.close(100);
    await rm(dir, { recursive: true, force: true });
  });

  it('answers / and every extension-less app route with index.html, never cached, under a strict CSP', async () => {
    for (const path of ['/', '/chat', '/dashboards/finance', '/dashboards/finance?x=1']) {
      const res = await rawGet(gateway.url, path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.body.toString()).toContain('<title>app</title>');
    }
  });

  it('serves hashed assets with their type, cached for a year, gzipped when the browser accepts it', async () => {
    const plain = await rawGet(gateway.url, '/assets/index-abc123.js');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    const gz = await rawGet(gateway.url, '/assets/index-abc123.js', { 'accept-encoding': 'gzip, br' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(Number(gz.headers['content-length'])).toBe(gz.body.length);
    expect(gz.body.length).toBeLessThan(script.length / 10);
    expect(gunzipSync(gz.body).toString()).toBe(script);
    const css = await rawGet(gateway.url, '/assets/index-abc123.css', { 'accept-encoding': 'gzip' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['content-encoding']).toBeUndefined();
  });

  it('answers a matching If-None-Match with 304 and HEAD without a body', async () => {
    const first = await rawGet(gateway.url, '/assets/index-abc123.js');
    const again = await rawGet(gateway.url, '/assets/index-abc123.js', { 'if-none-match': String(first.headers['etag']) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const head = await rawGet(gateway.url, '/chat', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('answers 404 for a missing file and 400 for paths that try to leave the folder', async () => {
    expect((await rawGet(gateway.url, '/assets/nope.js')).status).toBe(404);
    for (const path of ['/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fpackage.json', '/a%00b', '/%E0%A4%A', '/..\\x']) {
      const res = await rawGet(gateway.url, path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
    }
  });

  it('leaves the API and the probes to the gateway', async () => {
    const api = await rawGet(gateway.url, '/v1/nope');
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body.toString()).error.code).toBe('not_found');
    expect((await rawGet(gateway.url, '/healthz')).status).toBe(200);
  });
});

describe('gateway static assets before the app is built', () => {
  it('answers 503 naming the missing build and how to make it', async () => {
    const { gateway } = await startTestGateway({ webRoot: join(tmpdir(), 'sophia-web-never-built') });
    try {
      const res = await rawGet(gateway.url, '/chat');
      expect(res.status).toBe(503);
      expect(res.body.toString()).toMatch(/not built .*index\.html.*npm start/);
    } finally {
      await gateway.close(100);
    }
  });
});
