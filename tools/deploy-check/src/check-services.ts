// Services, autoscalers and disruption budgets must point at real workloads and ports: a Service
// whose targetPort names no container port, an HPA on a missing Deployment, or a PDB that selects
// nothing all apply cleanly and fail silently in a cluster.
import { error, type Finding } from './finding.ts';
import { getPath, labelsAt, objectRef, recordsAt, selects, type KubeObject } from './kube-object.ts';
import { parseQuantity } from './quantity.ts';
import { entryAppOf } from './mesh-container.ts';
import { resolvePort, workloadsOf, type Workload } from './workload.ts';

/** Environment-specific floors (production wants ≥ 2 of everything). */
export interface ScalingRules {
  /** Every mesh workload needs an HPA with at least this minReplicas, and as many replicas. @default 1 */
  readonly minReplicasFloor?: number;
}

function selected(objects: readonly KubeObject[], namespace: string | undefined, selector: Record<string, string>): Workload[] {
  if (Object.keys(selector).length === 0) return [];
  return workloadsOf(objects).filter((w) => w.object.metadata.namespace === namespace && selects(selector, w.podLabels));
}

function isMesh(workload: Workload): boolean {
  return workload.containers.some((c) => entryAppOf(c) !== undefined);
}

function checkService(service: KubeObject, objects: readonly KubeObject[]): Finding[] {
  const subject = objectRef(service);
  const targets = selected(objects, service.metadata.namespace, labelsAt(service, ['spec', 'selector']));
  if (targets.length === 0) return [error(subject, 'service.selector', 'spec.selector matches no Deployment/StatefulSet pod template')];
  const findings: Finding[] = [];
  for (const port of recordsAt(service, ['spec', 'ports'])) {
    const ref = port['targetPort'] ?? port['port'];
    for (const target of targets) {
      const resolved = target.containers.map((c) => resolvePort(c, ref)).find((p) => p !== undefined);
      if (!resolved) {
        findings.push(error(subject, 'service.target-port', `port ${String(port['name'] ?? port['port'])}: targetPort ${String(ref)} is not a container port of ${target.object.metadata.name}`));
      } else if (/^grpc(-|$)/.test(resolved.name ?? '') && (port['name'] !== 'grpc' || port['appProtocol'] !== 'grpc')) {
        findings.push(error(subject, 'service.grpc-port', `port ${String(port['port'])} serves gRPC: name it "grpc" with appProtocol "grpc"`));
      }
    }
  }
  if (targets.some(isMesh) && !recordsAt(service, ['spec', 'ports']).some((p) => p['name'] === 'metrics')) {
    findings.push(error(subject, 'service.metrics-port', 'no port named "metrics": the ServiceMonitor scrapes it by name'));
  }
  return findings;
}

function checkHpa(hpa: KubeObject, objects: readonly KubeObject[]): Finding[] {
  const subject = objectRef(hpa);
  const findings: Finding[] = [];
  const kind = getPath(hpa, ['spec', 'scaleTargetRef', 'kind']);
  const name = getPath(hpa, ['spec', 'scaleTargetRef', 'name']);
  const target = workloadsOf(objects).find((w) => w.object.kind === kind && w.object.metadata.name === name && w.object.metadata.namespace === hpa.metadata.namespace);
  if (!target) return [error(subject, 'hpa.target', `scaleTargetRef ${String(kind)}/${String(name)} is not in the render`)];
  const min = getPath(hpa, ['spec', 'minReplicas']) ?? 1;
  const max = getPath(hpa, ['spec', 'maxReplicas']);
  if (typeof min !== 'number' || typeof max !== 'number' || min < 1 || min > max) {
    findings.push(error(subject, 'hpa.bounds', `minReplicas ${String(min)} / maxReplicas ${String(max)} must satisfy 1 ≤ min ≤ max`));
  }
  const cpuMetric = recordsAt(hpa, ['spec', 'metrics']).some((m) => m['type'] === 'Resource' && getPath(m, ['resource', 'name']) === 'cpu');
  if (!cpuMetric) findings.push(error(subject, 'hpa.cpu', 'no CPU resource metric'));
  for (const c of target.containers) {
    if (parseQuantity(getPath(c, ['resources', 'requests', 'cpu'])) === undefined) {
      findings.push(error(subject, 'hpa.cpu', `container ${String(c['name'])} has no CPU request: utilization cannot be computed`));
    }
  }
  const replicas = getPath(target.object, ['spec', 'replicas']) ?? 1;
  if (typeof replicas === 'number' && typeof min === 'number' && typeof max === 'number' && (replicas < min || replicas > max)) {
    findings.push(error(subject, 'hpa.replicas', `${target.object.metadata.name} has replicas ${replicas} outside the HPA bounds [${min}, ${max}]`));
  }
  return findings;
}

function checkPdb(pdb: KubeObject, objects: readonly KubeObject[]): Finding[] {
  const subject = objectRef(pdb);
  const targets = selected(objects, pdb.metadata.namespace, labelsAt(pdb, ['spec', 'selector', 'matchLabels']));
  if (targets.length === 0) return [error(subject, 'pdb.selector', 'spec.selector matches no workload')];
  const minAvailable = getPath(pdb, ['spec', 'minAvailable']);
  const findings: Finding[] = [];
  for (const t of targets) {
    const replicas = getPath(t.object, ['spec', 'replicas']) ?? 1;
    if (typeof minAvailable === 'number' && typeof replicas === 'number' && minAvailable >= replicas) {
      findings.push(error(subject, 'pdb.blocks-drain', `minAvailable ${minAvailable} ≥ ${t.object.metadata.name} replicas ${replicas}: node drains would block forever`));
    }
  }
  if (getPath(pdb, ['spec', 'maxUnavailable']) === 0) findings.push(error(subject, 'pdb.blocks-drain', 'maxUnavailable 0 blocks every voluntary eviction'));
  return findings;
}

function checkCoverage(objects: readonly KubeObject[], rules: ScalingRules): Finding[] {
  const findings: Finding[] = [];
  const floor = rules.minReplicasFloor ?? 1;
  for (const w of workloadsOf(objects).filter(isMesh)) {
    const subject = objectRef(w.object);
    const ns = w.object.metadata.namespace;
    const inNs = objects.filter((o) => o.metadata.namespace === ns);
    if (!inNs.some((o) => o.kind === 'Service' && selects(labelsAt(o, ['spec', 'selector']), w.podLabels) && Object.keys(labelsAt(o, ['spec', 'selector'])).length > 0)) {
      findings.push(error(subject, 'service.missing', 'no Service selects this mesh workload'));
    }
    if (!inNs.some((o) => o.kind === 'PodDisruptionBudget' && selects(labelsAt(o, ['spec', 'selector', 'matchLabels']), w.podLabels))) {
      findings.push(error(subject, 'pdb.missing', 'no PodDisruptionBudget covers this mesh workload'));
    }
    const hpa = inNs.find((o) => o.kind === 'HorizontalPodAutoscaler' && getPath(o, ['spec', 'scaleTargetRef', 'name']) === w.object.metadata.name);
    if (!hpa) findings.push(error(subject, 'hpa.missing', 'no HorizontalPodAutoscaler scales this mesh workload'));
    const min = getPath(hpa, ['spec', 'minReplicas']) ?? 1;
    const replicas = getPath(w.object, ['spec', 'replicas']) ?? 1;
    if (hpa && typeof min === 'number' && min < floor) findings.push(error(subject, 'scale.floor', `HPA minReplicas ${min} is below this environment's floor ${floor}`));
    if (typeof replicas === 'number' && replicas < floor) findings.push(error(subject, 'scale.floor', `replicas ${replicas} is below this environment's floor ${floor}`));
  }
  return findings;
}

/** Checks Services, HPAs and PDBs in `objects`, and that every mesh workload has all three. */
export function checkServices(objects: readonly KubeObject[], rules: ScalingRules = {}): Finding[] {
  return [
    ...objects.filter((o) => o.kind === 'Service').flatMap((s) => checkService(s, objects)),
    ...objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').flatMap((h) => checkHpa(h, objects)),
    ...objects.filter((o) => o.kind === 'PodDisruptionBudget').flatMap((p) => checkPdb(p, objects)),
    ...checkCoverage(objects, rules),
  ];
}
