// Rules for every Deployment and StatefulSet, mesh service or not: probes that point at declared
// ports, requests and limits (memory capped at 256Mi for the ≤ 150 MB RSS target, up to 512Mi only
// with a measured reason annotated on the workload), a non-root read-only container, and a
// selector that selects the pod template.
import { error, type Finding } from './finding.ts';
import { getPath, isRecord, labelsAt, objectRef, selects, type KubeObject } from './kube-object.ts';
import { parseQuantity } from './quantity.ts';
import { resolvePort, workloadsOf, type Workload } from './workload.ts';

/** Limits the workload rules enforce. */
export interface WorkloadRules {
  /** Largest memory limit allowed for any container, in bytes. @default 256Mi */
  readonly maxMemoryLimitBytes?: number;
  /** Largest memory limit for a workload annotated with {@link MEMORY_REASON_ANNOTATION}. @default 512Mi */
  readonly maxReasonedMemoryLimitBytes?: number;
}

/** Annotation that records why a workload needs more memory than the default cap (a measurement). */
export const MEMORY_REASON_ANNOTATION = 'sophia.dev/memory-limit-reason';

function probePortRef(probe: Record<string, unknown>): { kind: string; port: unknown } | undefined {
  for (const kind of ['grpc', 'httpGet', 'tcpSocket'] as const) {
    const handler = probe[kind];
    if (isRecord(handler)) return { kind, port: handler['port'] };
  }
  if (isRecord(probe['exec'])) return { kind: 'exec', port: undefined };
  return undefined;
}

function checkProbes(subject: string, container: Record<string, unknown>): Finding[] {
  const findings: Finding[] = [];
  const name = String(container['name']);
  for (const which of ['readinessProbe', 'livenessProbe'] as const) {
    const probe = container[which];
    const rule = which === 'readinessProbe' ? 'probe.readiness' : 'probe.liveness';
    if (!isRecord(probe)) {
      findings.push(error(subject, rule, `container ${name} has no ${which}`));
      continue;
    }
    const ref = probePortRef(probe);
    if (ref === undefined) findings.push(error(subject, rule, `container ${name}: ${which} has no grpc/httpGet/tcpSocket/exec handler`));
    else if (ref.kind !== 'exec' && resolvePort(container, ref.port) === undefined) {
      findings.push(error(subject, `${rule}.port`, `container ${name}: ${which} port ${String(ref.port)} is not a declared container port`));
    }
  }
  return findings;
}

function checkResources(subject: string, container: Record<string, unknown>, rules: WorkloadRules, reason: string | undefined): Finding[] {
  const findings: Finding[] = [];
  const name = String(container['name']);
  const maxMemory = reason ? (rules.maxReasonedMemoryLimitBytes ?? 512 * 2 ** 20) : (rules.maxMemoryLimitBytes ?? 256 * 2 ** 20);
  for (const resource of ['cpu', 'memory'] as const) {
    const request = parseQuantity(getPath(container, ['resources', 'requests', resource]));
    const limit = parseQuantity(getPath(container, ['resources', 'limits', resource]));
    if (request === undefined) findings.push(error(subject, 'resources.requests', `container ${name} has no valid ${resource} request`));
    if (limit === undefined) findings.push(error(subject, 'resources.limits', `container ${name} has no valid ${resource} limit`));
    if (request !== undefined && limit !== undefined && request > limit) {
      findings.push(error(subject, 'resources.order', `container ${name}: ${resource} request exceeds its limit`));
    }
  }
  const memoryLimit = parseQuantity(getPath(container, ['resources', 'limits', 'memory']));
  if (memoryLimit !== undefined && memoryLimit > maxMemory) {
    const hint = reason ? '' : ` (annotate ${MEMORY_REASON_ANNOTATION} with a measurement to allow more)`;
    findings.push(error(subject, 'resources.memory-cap', `container ${name}: memory limit ${String(getPath(container, ['resources', 'limits', 'memory']))} is above ${maxMemory / 2 ** 20}Mi${hint}`));
  }
  return findings;
}

function checkSecurity(subject: string, workload: Workload, container: Record<string, unknown>): Finding[] {
  const findings: Finding[] = [];
  const name = String(container['name']);
  const pod = isRecord(workload.podSpec['securityContext']) ? workload.podSpec['securityContext'] : {};
  const own = isRecord(container['securityContext']) ? container['securityContext'] : {};
  const nonRoot = own['runAsNonRoot'] ?? pod['runAsNonRoot'];
  const user = own['runAsUser'] ?? pod['runAsUser'];
  if (nonRoot !== true) findings.push(error(subject, 'security.non-root', `container ${name}: runAsNonRoot is not true`));
  if (typeof user !== 'number' || user === 0) findings.push(error(subject, 'security.non-root', `container ${name}: runAsUser must be a non-zero uid`));
  if (own['readOnlyRootFilesystem'] !== true) findings.push(error(subject, 'security.read-only-root', `container ${name}: readOnlyRootFilesystem is not true`));
  if (own['allowPrivilegeEscalation'] !== false) findings.push(error(subject, 'security.privilege-escalation', `container ${name}: allowPrivilegeEscalation is not false`));
  const dropped = getPath(own, ['capabilities', 'drop']);
  if (!Array.isArray(dropped) || !dropped.includes('ALL')) findings.push(error(subject, 'security.capabilities', `container ${name}: capabilities.drop does not include ALL`));
  return findings;
}

/** Checks every workload in `objects` against the rules above. */
export function checkWorkloads(objects: readonly KubeObject[], rules: WorkloadRules = {}): Finding[] {
  const findings: Finding[] = [];
  for (const workload of workloadsOf(objects)) {
    const subject = objectRef(workload.object);
    const selector = labelsAt(workload.object, ['spec', 'selector', 'matchLabels']);
    if (Object.keys(selector).length === 0 || !selects(selector, workload.podLabels)) {
      findings.push(error(subject, 'workload.selector', 'spec.selector.matchLabels is empty or does not match the pod template labels'));
    }
    if (workload.containers.length === 0) findings.push(error(subject, 'workload.containers', 'the pod template has no containers'));
    for (const constraint of Array.isArray(workload.podSpec['topologySpreadConstraints']) ? workload.podSpec['topologySpreadConstraints'] : []) {
      if (!selects(labelsAt(constraint, ['labelSelector', 'matchLabels']), workload.podLabels)) {
        findings.push(error(subject, 'workload.topology-spread', 'a topologySpreadConstraint labelSelector does not match the pod labels'));
      }
    }
    const reason = labelsAt(workload.object, ['metadata', 'annotations'])[MEMORY_REASON_ANNOTATION]?.trim() || undefined;
    for (const container of workload.containers) {
      findings.push(...checkProbes(subject, container), ...checkResources(subject, container, rules, reason), ...checkSecurity(subject, workload, container));
    }
  }
  return findings;
}
