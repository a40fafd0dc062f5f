// Evaluates NetworkPolicy objects the way the API defines them, over the workloads in a render plus
// four peers outside it (Prometheus, kube-dns, the OpenTelemetry Collector, the internet), and lists every allowed flow. A flow
// needs the source's egress and the destination's ingress to allow it; a pod no policy selects
// for a direction is open in that direction.
import { getPath, isRecord, labelsAt, recordsAt, selects, type KubeObject } from './kube-object.ts';
import { containerPorts, workloadsOf } from './workload.ts';

/** Something that sends or receives traffic. */
export interface Peer {
  readonly id: string;
  /** Undefined for addresses outside the cluster. */
  readonly namespace: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly { name?: string | undefined; port: number; protocol: string }[];
  /** Policies of peers outside the render are not modelled: their side always allows. */
  readonly outside: boolean;
}

/** Prometheus as deployed by kube-prometheus-stack in namespace "monitoring". */
export const PROMETHEUS: Peer = { id: 'prometheus', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' }, ports: [], outside: true };
/** The OpenTelemetry Collector of deploy/monitoring, where every mesh service sends its spans (OTLP/HTTP). */
export const OTEL_COLLECTOR: Peer = {
  id: 'otel-collector',
  namespace: 'monitoring',
  labels: { 'app.kubernetes.io/name': 'opentelemetry-collector' },
  ports: [{ name: 'otlp-http', port: 4318, protocol: 'TCP' }],
  outside: true,
};
/** Cluster DNS. */
export const KUBE_DNS: Peer = {
  id: 'kube-dns',
  namespace: 'kube-system',
  labels: { 'k8s-app': 'kube-dns' },
  ports: [
    { port: 53, protocol: 'UDP' },
    { port: 53, protocol: 'TCP' },
  ],
  outside: true,
};

/** "src -> dst:port/PROTO", the unit the call-graph comparison works in. */
export function flow(src: string, dst: string, port: number, protocol = 'TCP'): string {
  return `${src} -> ${dst}:${port}/${protocol}`;
}

function selectorLabels(selector: unknown, where: string): Record<string, string> {
  if (selector === undefined) return {};
  if (!isRecord(selector)) throw new Error(`${where}: selector must be a mapping`);
  if (selector['matchExpressions'] !== undefined) throw new Error(`${where}: matchExpressions are not supported by deploy-check`);
  return labelsAt(selector, ['matchLabels']);
}

function peerMatches(entry: Record<string, unknown>, peer: Peer, policyNamespace: string, where: string): boolean {
  if (entry['ipBlock'] !== undefined) return peer.namespace === undefined;
  if (peer.namespace === undefined) return false;
  if (entry['namespaceSelector'] !== undefined) {
    const nsLabels = { 'kubernetes.io/metadata.name': peer.namespace };
    return selects(selectorLabels(entry['namespaceSelector'], where), nsLabels) && selects(selectorLabels(entry['podSelector'], where), peer.labels);
  }
  if (entry['podSelector'] !== undefined) return peer.namespace === policyNamespace && selects(selectorLabels(entry['podSelector'], where), peer.labels);
  return false;
}

function portMatches(rule: Record<string, unknown>, dst: Peer, port: { name?: string | undefined; port: number; protocol: string }): boolean {
  const ports = recordsAt(rule, ['ports']);
  if (ports.length === 0) return true;
  return ports.some((p) => {
    if ((typeof p['protocol'] === 'string' ? p['protocol'] : 'TCP') !== port.protocol) return false;
    const ref = p['port'];
    if (ref === undefined) return true;
    if (typeof ref === 'number') {
      const end = typeof p['endPort'] === 'number' ? p['endPort'] : ref;
      return port.port >= ref && port.port <= end;
    }
    return dst.namespace !== undefined && port.name === ref;
  });
}

function policyTypes(policy: KubeObject): string[] {
  const types = getPath(policy, ['spec', 'policyTypes']);
  if (Array.isArray(types)) return types.filter((t): t is string => typeof t === 'string');
  return getPath(policy, ['spec', 'egress']) === undefined ? ['Ingress'] : ['Ingress', 'Egress'];
}

/** Objects without a namespace land in "default" (kubectl apply without -n). */
function namespaceOf(obj: KubeObject): string {
  return obj.metadata.namespace ?? 'default';
}

function policiesFor(policies: readonly KubeObject[], peer: Peer, direction: 'Ingress' | 'Egress'): KubeObject[] {
  return policies.filter(
    (p) =>
      namespaceOf(p) === peer.namespace &&
      policyTypes(p).includes(direction) &&
      selects(selectorLabels(getPath(p, ['spec', 'podSelector']), `NetworkPolicy/${p.metadata.name}.spec.podSelector`), peer.labels),
  );
}

function sideAllows(policies: readonly KubeObject[], self: Peer, other: Peer, dst: Peer, port: Peer['ports'][number], direction: 'Ingress' | 'Egress'): boolean {
  if (self.outside) return true;
  const applicable = policiesFor(policies, self, direction);
  if (applicable.length === 0) return true;
  const rulesKey = direction === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = direction === 'Ingress' ? 'from' : 'to';
  return applicable.some((policy) =>
    recordsAt(policy, ['spec', rulesKey]).some((rule, i) => {
      const where = `NetworkPolicy/${policy.metadata.name}.spec.${rulesKey}[${i}]`;
      const peers = recordsAt(rule, [peersKey]);
      const peerOk = peers.length === 0 || peers.some((entry) => peerMatches(entry, other, namespaceOf(policy), where));
      return peerOk && portMatches(rule, dst, port);
    }),
  );
}

/** The workloads of a render as peers (id = workload name). */
export function workloadPeers(objects: readonly KubeObject[]): Peer[] {
  return workloadsOf(objects).map((w) => ({
    id: w.object.metadata.name,
    namespace: namespaceOf(w.object),
    labels: w.podLabels,
    ports: w.containers.flatMap(containerPorts),
    outside: false,
  }));
}

/**
 * Every flow the NetworkPolicies in `objects` allow between the render's workloads, Prometheus,
 * kube-dns and "internet" (probed on `internetPorts` plus every numeric port an egress rule names).
 */
export function allowedFlows(objects: readonly KubeObject[], internetPorts: readonly number[] = [80, 443]): Set<string> {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const probePorts = new Set(internetPorts);
  for (const policy of policies) {
    for (const rule of recordsAt(policy, ['spec', 'egress'])) for (const p of recordsAt(rule, ['ports'])) if (typeof p['port'] === 'number') probePorts.add(p['port']);
  }
  const internet: Peer = { id: 'internet', namespace: undefined, labels: {}, ports: [...probePorts].map((port) => ({ port, protocol: 'TCP' })), outside: true };
  const workloads = workloadPeers(objects);
  const sources = [...workloads, PROMETHEUS, internet];
  const destinations = [...workloads, KUBE_DNS, OTEL_COLLECTOR, internet];
  const flows = new Set<string>();
  for (const src of sources) {
    for (const dst of destinations) {
      if (src.id === dst.id || (src.outside && dst.outside)) continue;
      for (const port of dst.ports) {
        if (sideAllows(policies, src, dst, dst, port, 'Egress') && sideAllows(policies, dst, src, dst, port, 'Ingress')) {
          flows.add(flow(src.id, dst.id, port.port, port.protocol));
        }
      }
    }
  }
  return flows;
}
