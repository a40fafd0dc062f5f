import type { IncomingHttpHeaders } from 'node:http';
import { cors as connectCors } from '@connectrpc/connect';
import corsMiddleware from 'cors';
import { QUALITY_HEADER, REQUEST_TIMEOUT_HEADER, WORKLOAD_HEADER } from './request-context.ts';

/** Who may call the gateway from a browser: exact origins, or any origin. */
export type CorsOrigins = ReadonlyArray<string> | '*';

// Request headers a browser client sends besides Connect's own: auth, routing hints, tracing, and
// what the OpenAI SDKs add (organization/project, idempotency, beta flags).
const SOPHIA_REQUEST_HEADERS = [
  'authorization',
  'x-api-key',
  'x-request-id',
  QUALITY_HEADER,
  WORKLOAD_HEADER,
  REQUEST_TIMEOUT_HEADER,
  'traceparent',
  'tracestate',
  'openai-organization',
  'openai-project',
  'openai-beta',
  'idempotency-key',
];
// The OpenAI JS SDK sends a family of `x-stainless-*` headers (lang, os, arch, runtime, retry count,
// timeout, …) that grows with its versions; a preflight asking for any of them is allowed.
const STAINLESS = /^x-stainless-[a-z0-9-]+$/;

/** The requested headers of a preflight that are `x-stainless-*` ones. */
function stainlessHeaders(requested: string | string[] | undefined): string[] {
  const list = (Array.isArray(requested) ? requested.join(',') : (requested ?? '')).split(',');
  return list.map((h) => h.trim().toLowerCase()).filter((h) => STAINLESS.test(h));
}
// Response headers a browser client may read besides Connect's own: the routing decision and its cost.
const SOPHIA_RESPONSE_HEADERS = ['x-request-id', 'retry-after', 'x-sophia-tier', 'x-sophia-model', 'x-sophia-backend', 'x-sophia-fallback', 'x-sophia-cost-usd'];

/**
 * Validates one configured origin: scheme http(s), a host, nothing after it (the browser's `Origin`
 * is exactly `scheme://host[:port]`). Returns the problem, or undefined when it is usable.
 */
export function corsOriginProblem(origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `'${origin}' is not a URL (expected e.g. https://chat.example.com)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `'${origin}' must use http or https`;
  if (url.origin !== origin.replace(/\/$/, '')) return `'${origin}' must be an origin only (scheme://host[:port], no path, query or user)`;
  return undefined;
}

/** What CORS reads of a request (HTTP/1.1 and HTTP/2 requests alike). */
export interface CorsRequest {
  readonly method?: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

/** What CORS writes on a response (HTTP/1.1 and HTTP/2 responses alike). */
export interface CorsResponse {
  statusCode: number;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  getHeader(name: string): string | number | string[] | undefined;
  end(): unknown;
}

/** Handles CORS for one request; true when the request was a preflight and has been answered. */
export type CorsHandler = (req: CorsRequest, res: CorsResponse) => boolean;

/**
 * CORS for the gateway's browser clients (the chat frontend on its own origin), for the REST routes
 * and Connect / gRPC-Web alike: the `cors` middleware does the protocol (preflight, `Vary: Origin`,
 * echoing only an allowed origin), Connect's lists name its headers. Credentials are never allowed
 * (the gateway authenticates with bearer keys, not cookies). A disallowed origin gets no CORS
 * headers, so the browser refuses to expose the answer; non-browser clients are unaffected.
 */
export function createCorsHandler(origins: CorsOrigins): CorsHandler {
  const allowed = origins === '*' ? undefined : new Set(origins.map((o) => o.replace(/\/$/, '')));
  const base = {
    methods: [...connectCors.allowedMethods, 'OPTIONS'],
    exposedHeaders: [...connectCors.exposedHeaders, ...SOPHIA_RESPONSE_HEADERS],
    maxAge: 7200,
    credentials: false,
    optionsSuccessStatus: 204,
  };
  const fixedHeaders = [...connectCors.allowedHeaders, ...SOPHIA_REQUEST_HEADERS];
  // Options per request, so a preflight's x-stainless-* headers are allowed by name (a list cannot hold a pattern).
  const middleware = corsMiddleware((req, callback) => {
    const origin = req.headers.origin;
    callback(null, {
      ...base,
      origin: origin !== undefined && (allowed === undefined || allowed.has(origin)),
      allowedHeaders: [...fixedHeaders, ...stainlessHeaders(req.headers['access-control-request-headers'])],
    });
  });
  return (req, res) => {
    // The answer depends on Origin whether or not this one is allowed (shared caches must not mix them).
    if (allowed !== undefined) res.setHeader('Vary', 'Origin');
    let passedOn = false;
    // The middleware calls back synchronously once the origin callback has (ours is synchronous):
    // next() for an ordinary request, and it ends the response itself for a preflight.
    middleware(req, res, () => {
      passedOn = true;
    });
    return !passedOn;
  };
}
