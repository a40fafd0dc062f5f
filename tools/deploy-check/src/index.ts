// Public API of @sophia/deploy-check: render kustomizations offline and check deploy/.
export { checkDeploy, checkRender, DEPLOY_TARGETS, type DeployReport, type DeployTarget } from './check-deploy.ts';
export { renderKustomization, type RenderOptions } from './render-kustomization.ts';
export { checkWorkloads, type WorkloadRules } from './check-workloads.ts';
export { checkMeshServices, type MeshRules } from './check-mesh-services.ts';
export { checkServices, type ScalingRules } from './check-services.ts';
export { checkNetworkPolicy } from './check-network-policy.ts';
export { allowedFlows, flow } from './network-flows.ts';
export { expectedFlows, SOPHIA_CALL_GRAPH, type CallGraph } from './call-graph.ts';
export { checkMonitoring, readMonitoringFiles, type MonitoringFiles } from './check-monitoring.ts';
export { checkDockerfile } from './check-dockerfile.ts';
export { readRepoFacts, type RepoFacts } from './repo-facts.ts';
export type { Finding } from './finding.ts';
export type { KubeObject } from './kube-object.ts';
