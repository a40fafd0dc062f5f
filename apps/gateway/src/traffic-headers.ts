/**
 * Response headers the gateway's traffic policies (rate limits, cache) attach to a chat answer.
 * They reach the REST and Connect responders through the router call's `onHeader`; only these
 * names are copied, so nothing the router itself sends leaks to API users.
 */
export function isTrafficHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('x-ratelimit-') || n === 'x-sophia-cache' || n === 'x-sophia-runaway';
}

/** The client's `Cache-Control`, carried from the handlers to the response cache. */
export const CACHE_CONTROL_HEADER = 'x-sophia-cache-control';

/** Header carrying the API key's id (a hash prefix, never the key) from the gateway's handlers to its policies. */
export const API_KEY_ID_HEADER = 'x-sophia-api-key-id';

/** Copies the traffic headers of `headers` into `into` (a plain record the responder writes). */
export function collectTrafficHeaders(into: Record<string, string>): (headers: Headers) => void {
  return (headers) => {
    headers.forEach((value, name) => {
      if (isTrafficHeader(name)) into[name] = value;
    });
  };
}
