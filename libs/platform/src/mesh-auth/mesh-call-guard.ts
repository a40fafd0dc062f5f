import { createHash, timingSafeEqual } from 'node:crypto';
import { Code, ConnectError } from '@connectrpc/connect';
import { ADMIN_METHODS } from './admin-methods.ts';
import { MESH_ADMIN_TOKEN_HEADER, MESH_TOKEN_HEADER } from './mesh-credentials.ts';

/** What a server expects of its callers (both tokens unset: no check, as in a local single-user mesh). */
export interface MeshCallPolicy {
  readonly token?: string | undefined;
  readonly adminToken?: string | undefined;
  /** Further tokens accepted during a rotation (SOPHIA_MESH_ACCEPTED_TOKENS); only with `token`. */
  readonly acceptedTokens?: readonly string[];
  /** Further admin tokens accepted during a rotation (SOPHIA_MESH_ACCEPTED_ADMIN_TOKENS); only with `adminToken`. */
  readonly acceptedAdminTokens?: readonly string[];
}

/** Decides whether one incoming call may run; the error is what the caller gets instead. */
export type MeshCallGuard = (path: string, header: (name: string) => string | undefined) => ConnectError | undefined;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Constant-time equality of a presented secret with any of the accepted ones (hashes: equal lengths);
 * every candidate is compared, so the time taken does not tell which one matched.
 */
function matches(accepted: readonly Buffer[], presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const given = digest(presented);
  return accepted.reduce((found, expected) => timingSafeEqual(expected, given) || found, false);
}

/** Digests of the primary secret and its rotation overlap; undefined when the primary is unset (no check). */
function acceptedDigests(primary: string | undefined, also: readonly string[] | undefined): readonly Buffer[] | undefined {
  return primary ? [primary, ...(also ?? [])].map(digest) : undefined;
}

/**
 * The server side of mesh authentication. With a token configured, a call without it (or with a
 * wrong one) is UNAUTHENTICATED; an admin RPC (ADMIN_METHODS) without the admin token, when one is
 * configured, is PERMISSION_DENIED. During a rotation each check accepts the current token or one of
 * the accepted ones. Messages name the header to send, never a secret. Health and
 * reflection are not guarded (they are not served through this adapter): probes carry no token.
 */
export function createMeshCallGuard(policy: MeshCallPolicy): MeshCallGuard | undefined {
  if (!policy.token && !policy.adminToken) return undefined;
  const token = acceptedDigests(policy.token, policy.acceptedTokens);
  const admin = acceptedDigests(policy.adminToken, policy.acceptedAdminTokens);
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
