export { startMesh, type Mesh, type StartMeshOptions } from './start-mesh.ts';
export { startChild, type ChildService, type StartChildOptions, type ListeningLine } from './child-service.ts';
export { findRepoRoot } from './repo-root.ts';
