// The mesh's intended call graph (docs/architecture.md, docs/deployment.md), as data: the network
// policies must allow exactly these flows among whatever workloads a render contains.
import type { KubeObject } from './kube-object.ts';
import { flow, KUBE_DNS, OTEL_COLLECTOR, PROMETHEUS, workloadPeers } from './network-flows.ts';

/** Who may call whom, by workload name and the callee's container port name. */
export interface CallGraph {
  readonly calls: readonly { readonly from: string; readonly to: string; readonly port: string }[];
  /** Reachable from anywhere (the ingress controller, a load balancer). */
  readonly publicIngress: readonly { readonly to: string; readonly port: string }[];
  /** Egress to addresses outside the cluster, by caller. */
  readonly externalEgress: Readonly<Record<string, readonly number[]>>;
  /** The container port Prometheus scrapes on every workload that has it. */
  readonly scrapePort: string;
  /** Workloads that export spans to the OpenTelemetry Collector (OTLP/HTTP): every mesh service. */
  readonly traceExporters: readonly string[];
}

/** The Sophia mesh: gateway → router → classifier/ledger/inference, sql → router, ledger and router → Redis. */
export const SOPHIA_CALL_GRAPH: CallGraph = {
  calls: [
    { from: 'gateway', to: 'router', port: 'grpc' },
    { from: 'gateway', to: 'ledger', port: 'grpc' },
    { from: 'gateway', to: 'sql', port: 'grpc' },
    { from: 'router', to: 'classifier', port: 'grpc' },
    { from: 'router', to: 'ledger', port: 'grpc' },
    { from: 'router', to: 'serverless-inference', port: 'grpc' },
    { from: 'router', to: 'gpu-inference', port: 'grpc' },
    { from: 'sql', to: 'router', port: 'grpc' },
    { from: 'ledger', to: 'redis', port: 'redis' },
    { from: 'router', to: 'redis', port: 'redis' },
    // dev overlay: the upstream simulators stand in for providers and vLLM.
    { from: 'serverless-inference', to: 'sim-serverless', port: 'http' },
    { from: 'gpu-inference', to: 'sim-vllm', port: 'http' },
  ],
  publicIngress: [{ to: 'gateway', port: 'http' }],
  externalEgress: {
    // Redis / Sentinel outside the cluster; Lambda Cloud API and Snowflake over HTTPS.
    ledger: [6379, 26379, 443],
    router: [6379, 26379],
    'serverless-inference': [443],
    'gpu-inference': [443, 8000],
    sql: [443],
  },
  scrapePort: 'metrics',
  traceExporters: ['gateway', 'router', 'classifier', 'ledger', 'serverless-inference', 'gpu-inference', 'sql'],
};

/** The flows `graph` intends among the workloads present in `objects` (absent ones are skipped). */
export function expectedFlows(objects: readonly KubeObject[], graph: CallGraph = SOPHIA_CALL_GRAPH): Set<string> {
  const peers = new Map(workloadPeers(objects).map((p) => [p.id, p]));
  const flows = new Set<string>();
  const portOf = (id: string, name: string): number | undefined => peers.get(id)?.ports.find((p) => p.name === name)?.port;
  for (const call of graph.calls) {
    const port = portOf(call.to, call.port);
    if (peers.has(call.from) && port !== undefined) flows.add(flow(call.from, call.to, port));
  }
  for (const entry of graph.publicIngress) {
    const port = portOf(entry.to, entry.port);
    if (port !== undefined) for (const src of [PROMETHEUS.id, 'internet']) flows.add(flow(src, entry.to, port));
  }
  for (const [from, ports] of Object.entries(graph.externalEgress)) {
    if (peers.has(from)) for (const port of ports) flows.add(flow(from, 'internet', port));
  }
  for (const id of graph.traceExporters) {
    if (peers.has(id)) for (const port of OTEL_COLLECTOR.ports) flows.add(flow(id, OTEL_COLLECTOR.id, port.port));
  }
  for (const peer of peers.values()) {
    const scrape = portOf(peer.id, graph.scrapePort);
    if (scrape !== undefined) flows.add(flow(PROMETHEUS.id, peer.id, scrape));
    for (const dns of KUBE_DNS.ports) flows.add(flow(peer.id, KUBE_DNS.id, dns.port, dns.protocol));
  }
  return flows;
}
