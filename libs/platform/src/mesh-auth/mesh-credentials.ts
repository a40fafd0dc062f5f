// The shared secrets that make a caller "the mesh" (issue #15 item 3): every internal gRPC call
// carries SOPHIA_MESH_TOKEN; the few admin RPCs (admin-methods.ts) also need SOPHIA_MESH_ADMIN_TOKEN,
// which only the gateway (it checks its callers' ops:write scope first) and operators hold. Set once
// per process by the service host from its parsed configuration; read by both gRPC clients.

/** Metadata key carrying the mesh token on internal calls. */
export const MESH_TOKEN_HEADER = 'x-sophia-mesh-token';
/** Metadata key carrying the admin token on calls to admin RPCs. */
export const MESH_ADMIN_TOKEN_HEADER = 'x-sophia-admin-token';

/** The secrets this process presents on its outgoing internal calls (unset: none). */
export interface MeshCredentials {
  readonly token?: string | undefined;
  readonly adminToken?: string | undefined;
}

let current: MeshCredentials = {};

/**
 * Sets what this process's internal clients present. Process-wide, like the client transport: a
 * host sets it from SOPHIA_MESH_TOKEN / SOPHIA_MESH_ADMIN_TOKEN before starting any service, and a
 * test or tool that calls internal services directly sets it from the mesh it drives.
 */
export function setMeshCredentials(credentials: MeshCredentials): void {
  current = { ...credentials };
}

/** The headers an outgoing internal call carries: the mesh token, and the admin token when held. */
export function meshCredentialHeaders(): ReadonlyArray<readonly [string, string]> {
  const headers: Array<readonly [string, string]> = [];
  if (current.token) headers.push([MESH_TOKEN_HEADER, current.token]);
  if (current.adminToken) headers.push([MESH_ADMIN_TOKEN_HEADER, current.adminToken]);
  return headers;
}
