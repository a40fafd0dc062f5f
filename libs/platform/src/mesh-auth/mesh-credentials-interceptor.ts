import type { Interceptor } from '@connectrpc/connect';
import { meshCredentialHeaders } from './mesh-credentials.ts';

/**
 * connect-node's half of mesh authentication: adds this process's mesh (and admin) token to every
 * outgoing call, as grpc-js-client.ts does to its metadata.
 */
export function createMeshCredentialsInterceptor(): Interceptor {
  return (next) => (req) => {
    for (const [key, value] of meshCredentialHeaders()) req.header.set(key, value);
    return next(req);
  };
}
