// Workloads (Deployments and StatefulSets) and their containers, read from rendered objects, with
// the facts the checks compare: pod labels and container ports (which mesh services a container runs:
// mesh-container.ts).
import { getPath, isRecord, labelsAt, recordsAt, type KubeObject } from './kube-object.ts';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);

/** A workload with its pod template pulled out. */
export interface Workload {
  readonly object: KubeObject;
  readonly podLabels: Record<string, string>;
  readonly podSpec: Record<string, unknown>;
  readonly containers: Record<string, unknown>[];
}

/** A named container port. */
export interface ContainerPort {
  readonly name: string | undefined;
  readonly port: number;
  readonly protocol: string;
}

/** Every Deployment and StatefulSet in `objects`. */
export function workloadsOf(objects: readonly KubeObject[]): Workload[] {
  return objects
    .filter((o) => WORKLOAD_KINDS.has(o.kind))
    .map((object) => {
      const podSpec = getPath(object, ['spec', 'template', 'spec']);
      return {
        object,
        podLabels: labelsAt(object, ['spec', 'template', 'metadata', 'labels']),
        podSpec: isRecord(podSpec) ? podSpec : {},
        containers: recordsAt(object, ['spec', 'template', 'spec', 'containers']),
      };
    });
}

/** The container's declared ports. */
export function containerPorts(container: Record<string, unknown>): ContainerPort[] {
  return recordsAt(container, ['ports'])
    .filter((p) => typeof p['containerPort'] === 'number')
    .map((p) => ({
      name: typeof p['name'] === 'string' ? p['name'] : undefined,
      port: p['containerPort'] as number,
      protocol: typeof p['protocol'] === 'string' ? p['protocol'] : 'TCP',
    }));
}

/** Resolves a port reference (number or port name) against the container's ports. */
export function resolvePort(container: Record<string, unknown>, ref: unknown): ContainerPort | undefined {
  const ports = containerPorts(container);
  if (typeof ref === 'number') return ports.find((p) => p.port === ref);
  if (typeof ref === 'string') return ports.find((p) => p.name === ref) ?? ports.find((p) => String(p.port) === ref);
  return undefined;
}

/** SOPHIA_ROUTER_PORT for "router", SOPHIA_SERVERLESS_INFERENCE_PORT for "serverless-inference". */
export function portKeyOf(service: string): string {
  return `SOPHIA_${service.toUpperCase().replace(/-/g, '_')}_PORT`;
}

/** The metrics port key runService derives from the port key. */
export function metricsPortKeyOf(service: string): string {
  return portKeyOf(service).replace(/_PORT$/, '_METRICS_PORT');
}
