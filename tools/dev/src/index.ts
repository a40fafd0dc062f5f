export { startMesh, parseDeployment, DEPLOYMENTS, type Mesh, type MeshService, type StartMeshOptions, type Deployment } from './start-mesh.ts';
export { startChild, type ChildService, type ChildExit, type StartChildOptions, type ListeningLine } from './child-service.ts';
export { createSupervisor, type Supervisor, type SupervisorOptions, type SupervisedUnit, type SupervisorEvent, type RestartPolicy } from './supervisor.ts';
export { findRepoRoot } from './repo-root.ts';
export { scratchMeshEnv, startScratchMesh, type ScratchMeshOptions } from './scratch-mesh.ts';
