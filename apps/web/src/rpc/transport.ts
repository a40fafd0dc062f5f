import type { Interceptor, Transport } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';

/**
 * The one way the app reaches the gateway: Connect over fetch to the origin that served it, binary
 * protobuf, the API key as `authorization: Bearer` on every call (read at call time, so signing in
 * again needs no new transport).
 */
export function createGatewayTransport(baseUrl: string, apiKey: () => string | undefined): Transport {
  const auth: Interceptor = (next) => (req) => {
    const key = apiKey();
    if (key) req.header.set('authorization', `Bearer ${key}`);
    return next(req);
  };
  return createConnectTransport({ baseUrl, useBinaryFormat: true, interceptors: [auth] });
}
