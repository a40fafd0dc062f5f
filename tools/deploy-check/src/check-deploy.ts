// Runs every check over every deployable render of deploy/ (dev, prod, prod with the sql
// component, and the co-hosted dev and prod variants), plus the Dockerfile and the monitoring files, and collects the findings.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkDockerfile } from './check-dockerfile.ts';
import { checkMeshServices } from './check-mesh-services.ts';
import { checkMonitoring, readMonitoringFiles } from './check-monitoring.ts';
import { checkNetworkPolicy } from './check-network-policy.ts';
import { checkServices } from './check-services.ts';
import { checkTracing, readTracingFiles } from './check-tracing.ts';
import { checkWorkloads } from './check-workloads.ts';
import { error, type Finding } from './finding.ts';
import type { KubeObject } from './kube-object.ts';
import { renderKustomization } from './render-kustomization.ts';
import { readRepoFacts, type RepoFacts } from './repo-facts.ts';
import { workloadsOf } from './workload.ts';

/** One render to check: a kustomization directory and the rules of its environment. */
export interface DeployTarget {
  readonly name: string;
  /** Kustomization directory, relative to the repository root. */
  readonly path: string;
  /** Extra components (repository-relative), as if the kustomization listed them. */
  readonly components?: readonly string[];
  /** Minimum replicas and HPA minReplicas of every mesh service. */
  readonly minReplicasFloor: number;
}

/** The renders CI checks. */
export const DEPLOY_TARGETS: readonly DeployTarget[] = [
  { name: 'dev', path: 'deploy/overlays/dev', minReplicasFloor: 1 },
  { name: 'prod', path: 'deploy/overlays/prod', minReplicasFloor: 2 },
  { name: 'prod+sql', path: 'deploy/overlays/prod', components: ['deploy/components/sql'], minReplicasFloor: 2 },
  // The co-hosted variant: gateway, router and classifier in one pod (components/cohosted-edge).
  { name: 'dev-cohosted', path: 'deploy/overlays/dev-cohosted', minReplicasFloor: 1 },
  { name: 'prod-cohosted', path: 'deploy/overlays/prod-cohosted', minReplicasFloor: 2 },
];

/** Everything {@link checkDeploy} found, with the renders it checked. */
export interface DeployReport {
  readonly findings: readonly Finding[];
  /** Target name → rendered objects (for summaries and further tests). */
  readonly renders: ReadonlyMap<string, readonly KubeObject[]>;
}

/** The checks that apply to one rendered target. */
export function checkRender(objects: readonly KubeObject[], facts: RepoFacts, minReplicasFloor: number): Finding[] {
  return [
    ...checkWorkloads(objects),
    ...checkMeshServices(objects, facts),
    ...checkServices(objects, { minReplicasFloor }),
    ...checkNetworkPolicy(objects),
  ];
}

/** Renders and checks every target under the repository `root`. */
export function checkDeploy(root: string, targets: readonly DeployTarget[] = DEPLOY_TARGETS): DeployReport {
  const facts = readRepoFacts(root);
  const findings: Finding[] = [];
  const renders = new Map<string, readonly KubeObject[]>();
  for (const target of targets) {
    let objects: KubeObject[];
    try {
      objects = renderKustomization(join(root, target.path), { extraComponents: (target.components ?? []).map((c) => join(root, c)) });
    } catch (err) {
      findings.push(error(target.name, 'render', (err as Error).message));
      continue;
    }
    renders.set(target.name, objects);
    for (const f of checkRender(objects, facts, target.minReplicasFloor)) findings.push({ ...f, subject: `${target.name}: ${f.subject}` });
  }
  findings.push(...checkDockerfile(root, entryScripts(root, [...renders.values()].flat())));
  try {
    findings.push(...checkMonitoring(readMonitoringFiles(root), facts.metricNames, [...renders.values()].flat()));
  } catch (err) {
    findings.push(error('deploy/monitoring', 'monitoring.parse', (err as Error).message));
  }
  try {
    findings.push(...checkTracing(readTracingFiles(root), [...renders.values()].flat()));
  } catch (err) {
    findings.push(error('deploy/monitoring', 'tracing.parse', (err as Error).message));
  }
  return { findings: dedupe(findings), renders };
}

/** Scripts pods start with `node <script>` that exist in the repository (the image must hold them). */
function entryScripts(root: string, objects: readonly KubeObject[]): string[] {
  const scripts = new Set<string>();
  for (const workload of workloadsOf(objects)) {
    for (const container of workload.containers) {
      const command = container['command'];
      if (Array.isArray(command) && command[0] === 'node' && typeof command[1] === 'string' && existsSync(join(root, command[1]))) scripts.add(command[1]);
    }
  }
  return [...scripts].sort();
}

function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.severity}|${f.subject}|${f.rule}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
