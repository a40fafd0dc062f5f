import { createHash, timingSafeEqual } from 'node:crypto';
import { Code, ConnectError } from '@connectrpc/connect';
import { ADMIN_METHODS } from './admin-methods.ts';
import { MESH_ADMIN_TOKEN_HEADER, MESH_TOKEN_HEADER } from './mesh-credentials.ts';

/** What a server expects of its callers (both unset: no check, as in a local single-user mesh). */
export interface MeshCallPolicy {
  readonly token?: string | undefined;
  readonly adminToken?: string | undefined;
}

/** Decides whether one incoming call may run; the error is what the caller gets instead. */
export type MeshCallGuard = (path: string, header: (name: string) => string | undefined) => ConnectError | undefined;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time equality of a presented secret with the expected one (hashes: equal lengths). */
function matches(expected: Buffer, presented: string | undefined): boolean {
  return presented !== undefined && timingSafeEqual(expected, digest(presented));
}

/**
 * The server side of mesh authentication. With a token configured, a call without it (or with a
 * wrong one) is UNAUTHENTICATED; an admin RPC (ADMIN_METHODS) without the admin token, when one is
 * configured, is PERMISSION_DENIED. Messages name the header to send, never a secret. Health and
 * reflection are not guarded (they are not served through this adapter): probes carry no token.
 */
export function createMeshCallGuard(policy: MeshCallPolicy): MeshCallGuard | undefined {
  if (!policy.token && !policy.adminToken) return undefined;
  const token = policy.token ? digest(policy.token) : undefined;
  const admin = policy.adminToken ? digest(policy.adminToken) : undefined;
  return (path, header) => {
    if (token && !matches(token, header(MESH_TOKEN_HEADER))) {
      return new ConnectError(`${path}: caller is not part of the mesh (missing or wrong ${MESH_TOKEN_HEADER})`, Code.Unauthenticated);
    }
    if (admin && ADMIN_METHODS.has(path) && !matches(admin, header(MESH_ADMIN_TOKEN_HEADER))) {
      return new ConnectError(`${path} is an admin RPC: the caller lacks the admin scope (missing or wrong ${MESH_ADMIN_TOKEN_HEADER})`, Code.PermissionDenied);
    }
    return undefined;
  };
}
