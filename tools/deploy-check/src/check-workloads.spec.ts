import { checkWorkloads } from './check-workloads.ts';
import type { Finding } from './finding.ts';
import { find, firstContainer, podSpec, render } from './testing/render-fixture.ts';

const rules = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.subject} ${f.rule}`);

describe('checkWorkloads', () => {
  it('passes the committed dev and prod overlays (sims and Redis included)', () => {
    expect(checkWorkloads(render('overlays/dev'))).toEqual([]);
    expect(checkWorkloads(render('overlays/prod'))).toEqual([]);
  });

  it('names the workload and rule when a readiness probe is deleted', () => {
    const objects = render('overlays/prod');
    delete firstContainer(find(objects, 'Deployment', 'router'))['readinessProbe'];
    expect(rules(checkWorkloads(objects))).toEqual(['sophia/Deployment/router probe.readiness']);
  });

  it('fails a probe on a port the container does not declare', () => {
    const objects = render('overlays/dev');
    (firstContainer(find(objects, 'StatefulSet', 'redis'))['livenessProbe'] as { tcpSocket: { port: unknown } }).tcpSocket.port = 'nope';
    expect(rules(checkWorkloads(objects))).toEqual(['sophia-dev/StatefulSet/redis probe.liveness.port']);
  });

  it('caps memory limits and requires requests and limits', () => {
    const objects = render('overlays/prod');
    const ledger = firstContainer(find(objects, 'Deployment', 'ledger'));
    (ledger['resources'] as { limits: Record<string, string> }).limits['memory'] = '320Mi';
    delete (ledger['resources'] as { requests?: unknown }).requests;
    expect(rules(checkWorkloads(objects)).sort()).toEqual([
      'sophia/Deployment/ledger resources.memory-cap',
      'sophia/Deployment/ledger resources.requests',
      'sophia/Deployment/ledger resources.requests',
    ]);
  });

  it('allows more than 256Mi only with a measured reason, and never more than 512Mi', () => {
    const objects = render('overlays/prod');
    const router = find(objects, 'Deployment', 'router');
    const annotations = router.metadata['annotations'] as Record<string, string>;
    expect(annotations['sophia.dev/memory-limit-reason']).toMatch(/measured/);
    delete annotations['sophia.dev/memory-limit-reason'];
    expect(checkWorkloads(objects).map((f) => f.message)).toEqual([
      'container router: memory limit 384Mi is above 256Mi (annotate sophia.dev/memory-limit-reason with a measurement to allow more)',
    ]);
    annotations['sophia.dev/memory-limit-reason'] = 'measured';
    (firstContainer(router)['resources'] as { limits: Record<string, string> }).limits['memory'] = '1Gi';
    expect(rules(checkWorkloads(objects))).toEqual(['sophia/Deployment/router resources.memory-cap']);
  });

  it('requires non-root, read-only root, no privilege escalation and no capabilities', () => {
    const objects = render('overlays/prod');
    const gateway = find(objects, 'Deployment', 'gateway');
    podSpec(gateway)['securityContext'] = { runAsUser: 0 };
    firstContainer(gateway)['securityContext'] = {};
    expect(rules(checkWorkloads(objects)).sort()).toEqual([
      'sophia/Deployment/gateway security.capabilities',
      'sophia/Deployment/gateway security.non-root',
      'sophia/Deployment/gateway security.non-root',
      'sophia/Deployment/gateway security.privilege-escalation',
      'sophia/Deployment/gateway security.read-only-root',
    ]);
  });

  it('checks that the selector and topology spread select the pod template', () => {
    const objects = render('overlays/prod');
    const classifier = find(objects, 'Deployment', 'classifier');
    (classifier['spec'] as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels = { 'app.kubernetes.io/name': 'router' };
    (podSpec(classifier)['topologySpreadConstraints'] as { labelSelector: unknown }[])[0]!.labelSelector = { matchLabels: { app: 'other' } };
    expect(rules(checkWorkloads(objects)).sort()).toEqual(['sophia/Deployment/classifier workload.selector', 'sophia/Deployment/classifier workload.topology-spread']);
  });
});
