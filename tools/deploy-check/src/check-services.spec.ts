import { checkServices } from './check-services.ts';
import type { KubeObject } from './kube-object.ts';
import { find, render } from './testing/render-fixture.ts';

const rules = (objects: readonly KubeObject[], floor = 1): string[] => checkServices(objects, { minReplicasFloor: floor }).map((f) => `${f.subject} ${f.rule}`);
type Ports = { name: string; port: number; targetPort: unknown; appProtocol?: string }[];
const servicePorts = (objects: KubeObject[], name: string): Ports => (find(objects, 'Service', name)['spec'] as { ports: Ports }).ports;

describe('checkServices', () => {
  it('passes dev (floor 1) and prod (floor 2)', () => {
    expect(rules(render('overlays/dev'))).toEqual([]);
    expect(rules(render('overlays/prod'), 2)).toEqual([]);
    expect(rules(render('overlays/prod', ['components/sql']), 2)).toEqual([]);
  });

  it('holds dev to its own floor only: one replica is below production’s', () => {
    expect(rules(render('overlays/dev'), 2).filter((r) => r.endsWith('scale.floor'))).toHaveLength(12);
  });

  it('fails a targetPort that is not a container port, and a gRPC port not named grpc', () => {
    const objects = render('overlays/prod');
    servicePorts(objects, 'router')[0]!.targetPort = 'gprc';
    servicePorts(objects, 'ledger')[0]!.appProtocol = 'http';
    expect(rules(objects, 2)).toEqual(['sophia/Service/router service.target-port', 'sophia/Service/ledger service.grpc-port']);
  });

  it('fails a Service without a metrics port and a mesh workload without a Service', () => {
    const objects = render('overlays/prod');
    const ports = servicePorts(objects, 'classifier');
    ports.splice(ports.findIndex((p) => p.name === 'metrics'), 1);
    const withoutRouterService = objects.filter((o) => !(o.kind === 'Service' && o.metadata.name === 'router'));
    expect(rules(withoutRouterService, 2)).toEqual(['sophia/Service/classifier service.metrics-port', 'sophia/Deployment/router service.missing']);
  });

  it('fails an HPA on a missing Deployment, with inverted bounds, or without a CPU metric', () => {
    const objects = render('overlays/prod');
    (find(objects, 'HorizontalPodAutoscaler', 'ledger')['spec'] as { scaleTargetRef: { name: string } }).scaleTargetRef.name = 'ledgr';
    const router = find(objects, 'HorizontalPodAutoscaler', 'router')['spec'] as { minReplicas: number; maxReplicas: number; metrics: unknown[] };
    router.maxReplicas = 2;
    router.metrics = [];
    expect(rules(objects, 2)).toEqual([
      'sophia/HorizontalPodAutoscaler/router hpa.bounds',
      'sophia/HorizontalPodAutoscaler/router hpa.cpu',
      'sophia/HorizontalPodAutoscaler/router hpa.replicas',
      'sophia/HorizontalPodAutoscaler/ledger hpa.target',
      'sophia/Deployment/ledger hpa.missing',
    ]);
  });

  it('fails a PDB that would block node drains or selects nothing', () => {
    const objects = render('overlays/prod');
    (find(objects, 'PodDisruptionBudget', 'gateway')['spec'] as Record<string, unknown>)['maxUnavailable'] = undefined;
    (find(objects, 'PodDisruptionBudget', 'gateway')['spec'] as Record<string, unknown>)['minAvailable'] = 3;
    (find(objects, 'PodDisruptionBudget', 'router')['spec'] as { selector: unknown }).selector = { matchLabels: { 'app.kubernetes.io/name': 'routr' } };
    expect(rules(objects, 2)).toEqual(['sophia/PodDisruptionBudget/gateway pdb.blocks-drain', 'sophia/PodDisruptionBudget/router pdb.selector', 'sophia/Deployment/router pdb.missing']);
  });
});
