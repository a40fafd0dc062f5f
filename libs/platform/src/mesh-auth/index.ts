export { MESH_TOKEN_HEADER, MESH_ADMIN_TOKEN_HEADER, setMeshCredentials, meshCredentialHeaders, type MeshCredentials } from './mesh-credentials.ts';
export { createMeshCallGuard, type MeshCallGuard, type MeshCallPolicy } from './mesh-call-guard.ts';
export { ADMIN_METHODS } from './admin-methods.ts';
export { createMeshCredentialsInterceptor } from './mesh-credentials-interceptor.ts';
