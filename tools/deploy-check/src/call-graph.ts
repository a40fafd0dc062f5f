// The mesh's intended call graph (docs/architecture.md, docs/deployment.md), as data: the network
// policies must allow exactly these flows among whatever workloads a render contains.
import type { KubeObject } from './kube-object.ts';
import { endpointsOf, type Endpoint } from './mesh-container.ts';
import { flow, KUBE_DNS, OTEL_COLLECTOR, PROMETHEUS, workloadPeers } from './network-flows.ts';

/**
 * Who may call whom, by service (a mesh service wherever it is hosted; other workloads by name) and
 * the callee's port role ("grpc"/"http": a mesh service's own port; else a container port name).
 */
export interface CallGraph {
  readonly calls: readonly { readonly from: string; readonly to: string; readonly port: string }[];
  /** Reachable from anywhere (the ingress controller, a load balancer). */
  readonly publicIngress: readonly { readonly to: string; readonly port: string }[];
  /** Egress to addresses outside the cluster, by caller. */
  readonly externalEgress: Readonly<Record<string, readonly number[]>>;
  /** The port role Prometheus scrapes on every service (each hosted service's own metrics port). */
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

/**
 * The flows `graph` intends among the workloads present in `objects` (absent ones are skipped). A
 * call between services that one pod hosts together is in process: no flow.
 */
export function expectedFlows(objects: readonly KubeObject[], graph: CallGraph = SOPHIA_CALL_GRAPH): Set<string> {
  const endpoints = endpointsOf(objects);
  const at = (service: string): readonly Endpoint[] => endpoints.get(service) ?? [];
  const flows = new Set<string>();
  for (const call of graph.calls) {
    for (const from of at(call.from)) {
      for (const to of at(call.to)) {
        const port = to.port(call.port);
        if (from.workload !== to.workload && port !== undefined) flows.add(flow(from.workload, to.workload, port));
      }
    }
  }
  for (const entry of graph.publicIngress) {
    for (const to of at(entry.to)) {
      const port = to.port(entry.port);
      if (port !== undefined) for (const src of [PROMETHEUS.id, 'internet']) flows.add(flow(src, to.workload, port));
    }
  }
  for (const [from, ports] of Object.entries(graph.externalEgress)) {
    for (const endpoint of at(from)) for (const port of ports) flows.add(flow(endpoint.workload, 'internet', port));
  }
  for (const id of graph.traceExporters) {
    for (const endpoint of at(id)) for (const port of OTEL_COLLECTOR.ports) flows.add(flow(endpoint.workload, OTEL_COLLECTOR.id, port.port));
  }
  for (const endpoint of [...endpoints.values()].flat()) {
    const scrape = endpoint.port(graph.scrapePort);
    if (scrape !== undefined) flows.add(flow(PROMETHEUS.id, endpoint.workload, scrape));
  }
  for (const peer of workloadPeers(objects)) for (const dns of KUBE_DNS.ports) flows.add(flow(peer.id, KUBE_DNS.id, dns.port, dns.protocol));
  return flows;
}
