import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Logger } from '@sophia/platform';
import type { NodeRequest } from './openai-routes.ts';

/** Where `npm start` builds the web app (apps/web/dist), relative to this file. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt', '.map']);
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The app's HTML may load scripts, styles and data only from this origin: an answer that slipped
 * past the sanitiser still could not run inline script or load one from elsewhere.
 */
const HTML_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** The part of a Node response (HTTP/1.1 or HTTP/2 compat) the static handler writes through. */
export interface StaticResponse {
  readonly headersSent: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body?: Uint8Array | string): unknown;
  destroy(): unknown;
}
type Res = StaticResponse;

/** True for requests the web app answers: GET/HEAD outside the API (`/v1/…`) and the probes. */
export function isStaticRequest(method: string | undefined, url: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = (url ?? '/').split('?')[0]!;
  return !(path.startsWith('/v1/') || path === '/v1' || path === '/healthz' || path === '/readyz');
}

function send(res: Res, status: number, headers: Record<string, string>, body: Uint8Array | string | undefined): void {
  res.writeHead(status, { 'x-content-type-options': 'nosniff', ...headers });
  if (body === undefined) res.end();
  else res.end(body);
}

function text(res: Res, status: number, message: string): void {
  send(res, status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, `${message}\n`);
}

/** The file a URL path names inside `root`, or an error status when it may not name one. */
function fileFor(root: string, url: string): { file: string; spa: boolean } | { status: number; message: string } {
  const rawPath = url.split('?')[0]!.split('#')[0]!;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return { status: 400, message: `bad path: not valid percent-encoding` };
  }
  if (path.includes('\0') || path.split('/').includes('..') || path.includes('\\')) return { status: 400, message: 'bad path' };
  const file = resolve(root, `.${path}`);
  if (file !== root && !file.startsWith(root + sep)) return { status: 400, message: 'bad path' };
  // Extension-less paths are the app's routes (/chat, /dashboards/finance): index.html answers them.
  const last = path.split('/').pop() ?? '';
  return { file, spa: !last.includes('.') };
}

/**
 * Serves the built web app (apps/web/dist) on the gateway's port: files with their content type,
 * hashed `/assets/*` cached for a year, everything else revalidated (ETag); gzip when the browser
 * takes it; the app's routes (any extension-less path) answered by index.html with a strict CSP.
 */
export function createStaticAssets(options: { readonly root: string; readonly logger: Logger }): (req: NodeRequest, res: Res) => void {
  const root = resolve(options.root);
  // One compressed copy per file, replaced when the file changes (a rebuild while running).
  const gzipped = new Map<string, { version: string; body: Uint8Array }>();

  async function serve(req: NodeRequest, res: Res): Promise<void> {
    const target = fileFor(root, req.url ?? '/');
    if ('status' in target) return text(res, target.status, target.message);
    let file = target.file;
    let info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      if (!target.spa) return text(res, 404, `not found: ${(req.url ?? '').slice(0, 200)}`);
      file = resolve(root, 'index.html');
      info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) return text(res, 503, `the web app is not built (no ${file}): npm start builds it, or run npm run build -w @sophia/web`);
    }
    const ext = extname(file);
    const html = ext === '.html';
    const immutable = file.startsWith(resolve(root, 'assets') + sep);
    const version = `${info.size.toString(36)}-${Math.trunc(info.mtimeMs).toString(36)}`;
    const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const compress = acceptsGzip && COMPRESSIBLE.has(ext) && info.size > 1024;
    const etag = `"${version}${compress ? '-gz' : ''}"`;
    const headers: Record<string, string> = {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'cache-control': immutable ? IMMUTABLE : 'no-cache',
      etag,
      vary: 'accept-encoding',
      ...(html ? HTML_HEADERS : {}),
    };
    if (req.headers['if-none-match'] === etag) return send(res, 304, headers, undefined);
    let body: Uint8Array = await readFile(file);
    if (compress) {
      let packed = gzipped.get(file);
      if (packed?.version !== version) {
        packed = { version, body: gzipSync(body) };
        gzipped.set(file, packed);
      }
      body = packed.body;
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(body.length);
    send(res, 200, headers, req.method === 'HEAD' ? undefined : body);
  }

  return (req, res) => {
    serve(req, res).catch((err: unknown) => {
      options.logger.error({ err, url: req.url }, 'static asset failed');
      if (!res.headersSent) text(res, 500, 'internal error');
      else res.destroy();
    });
  };
}
