/**
 * Resolves an OpenAI-style API path against a base URL the way the OpenAI SDK's `baseURL` works
 * (`https://api.together.xyz/v1` + `chat/completions`), and lets a bare origin
 * (`http://127.0.0.1:8000`, as vLLM and the simulator are usually given) mean `<origin>/v1`.
 */
export function apiUrl(baseUrl: string, path: string): URL {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new TypeError(`baseUrl: not a valid URL: "${baseUrl}"`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError(`baseUrl: expected http(s), got "${base.protocol}" in "${baseUrl}"`);
  }
  let prefix = base.pathname.replace(/\/+$/, '');
  if (prefix === '') prefix = '/v1';
  return new URL(`${prefix}/${path.replace(/^\/+/, '')}`, base.origin);
}

/**
 * The server root of an endpoint (where vLLM serves `/health` and `/metrics`): the base URL
 * without a trailing `/v1`.
 */
export function serverRoot(baseUrl: string): URL {
  const base = apiUrl(baseUrl, 'x');
  return new URL(base.pathname.replace(/\/v1\/x$/, '/').replace(/\/x$/, '/'), base.origin);
}
