import { checkNetworkPolicy } from './check-network-policy.ts';
import type { KubeObject } from './kube-object.ts';
import { allowedFlows, flow } from './network-flows.ts';
import { find, render } from './testing/render-fixture.ts';

const messages = (objects: readonly KubeObject[]): string[] => checkNetworkPolicy(objects).map((f) => `${f.rule} ${f.message.replace(/^.*: /, '')}`);
type Rule = { to?: unknown[]; from?: unknown[]; ports?: unknown[] };
const specOf = (objects: KubeObject[], name: string): { egress: Rule[]; ingress: Rule[] } => find(objects, 'NetworkPolicy', name)['spec'] as { egress: Rule[]; ingress: Rule[] };

describe('checkNetworkPolicy', () => {
  it('allows exactly the call graph in base, dev, prod and prod with sql', () => {
    for (const [path, components] of [['base', []], ['overlays/dev', []], ['overlays/prod', []], ['overlays/prod', ['components/sql']]] as const) {
      expect(messages(render(path, components))).toEqual([]);
    }
  });

  it('allows exactly the call graph in the co-hosted variants, without flows for the calls made in process', () => {
    for (const path of ['overlays/dev-cohosted', 'overlays/prod-cohosted']) expect(messages(render(path))).toEqual([]);
    const flows = allowedFlows(render('overlays/prod-cohosted'));
    expect(flows.has(flow('edge', 'ledger', 50053))).toBe(true);
    expect(flows.has(flow('internet', 'edge', 8080))).toBe(true);
    expect(flows.has(flow('prometheus', 'edge', 9465))).toBe(true);
    expect(flows.has(flow('internet', 'edge', 50052))).toBe(false);
  });

  it('reports the co-hosted pod’s blocked calls when a callee’s extra ingress policy is missing', () => {
    const objects = render('overlays/prod-cohosted').filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'ledger-from-edge'));
    expect(messages(objects)).toEqual(['netpol.missing-flow edge -> ledger:50053/TCP']);
    const unscraped = render('overlays/prod-cohosted');
    (specOf(unscraped, 'allow-prometheus-scrape').ingress[0]!.ports as unknown[]).splice(1);
    expect(messages(unscraped)).toEqual(['netpol.missing-flow prometheus -> edge:9465/TCP', 'netpol.missing-flow prometheus -> edge:9466/TCP']);
  });

  it('evaluates both sides: the router may call the classifier, the classifier may not call the router', () => {
    const flows = allowedFlows(render('overlays/prod'));
    expect(flows.has(flow('router', 'classifier', 50051))).toBe(true);
    expect(flows.has(flow('classifier', 'router', 50052))).toBe(false);
    expect(flows.has(flow('gateway', 'classifier', 50051))).toBe(false);
    expect(flows.has(flow('internet', 'router', 50052))).toBe(false);
    expect(flows.has(flow('prometheus', 'ledger', 9464))).toBe(true);
  });

  it('closes a workload without its own policy by default deny, and reports the holes without it', () => {
    const withoutRouterPolicy = render('overlays/prod').filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'router'));
    const closed = messages(withoutRouterPolicy);
    expect(closed).toContain('netpol.missing-flow gateway -> router:50052/TCP');
    expect(closed).toContain('netpol.missing-flow router -> classifier:50051/TCP');
    expect(closed.every((m) => m.startsWith('netpol.missing-flow'))).toBe(true);
    // allow-dns, allow-trace-export (egress) and allow-prometheus-scrape (ingress) select every mesh pod
    // too, so the router is open only once all four namespace-wide policies are gone.
    const namespaceWide = new Set(['default-deny', 'allow-dns', 'allow-trace-export', 'allow-prometheus-scrape']);
    const open = messages(withoutRouterPolicy.filter((o) => !(o.kind === 'NetworkPolicy' && namespaceWide.has(o.metadata.name))));
    expect(open).toContain('netpol.extra-flow internet -> router:50052/TCP');
    expect(open).toContain('netpol.extra-flow router -> internet:443/TCP');
  });

  it('reports a blocked call when an egress rule is deleted', () => {
    const objects = render('overlays/prod');
    specOf(objects, 'router').egress.splice(1, 1); // router -> ledger
    expect(messages(objects)).toEqual(['netpol.missing-flow router -> ledger:50053/TCP']);
  });

  it('reports a blocked call when the callee ingress does not admit the caller', () => {
    const objects = render('overlays/prod');
    specOf(objects, 'ledger').ingress[0]!.from!.pop(); // drop router
    expect(messages(objects)).toEqual(['netpol.missing-flow router -> ledger:50053/TCP']);
  });

  it('reports a hole when a rule is widened to every port or peer', () => {
    const objects = render('overlays/prod');
    delete specOf(objects, 'serverless-inference').egress[0]!.ports;
    const found = messages(objects);
    expect(found).toContain('netpol.extra-flow serverless-inference -> internet:80/TCP');
    expect(found).toContain('netpol.extra-flow serverless-inference -> internet:6379/TCP');
    expect(found.every((m) => m.startsWith('netpol.extra-flow serverless-inference -> internet:'))).toBe(true);
  });

  it('resolves named ports against the destination container', () => {
    const objects = render('overlays/prod');
    ((find(objects, 'NetworkPolicy', 'allow-prometheus-scrape')['spec'] as { ingress: { ports: { port: unknown }[] }[] }).ingress[0]!.ports[0]!).port = 'metric';
    expect(messages(objects).filter((m) => m.startsWith('netpol.missing-flow prometheus'))).toHaveLength(6);
  });

  it('rejects selectors it cannot evaluate instead of guessing', () => {
    const objects = render('overlays/prod');
    (specOf(objects, 'gateway').egress[0]!.to![0] as Record<string, unknown>)['podSelector'] = { matchExpressions: [{ key: 'a', operator: 'Exists' }] };
    expect(messages(objects)).toEqual(['netpol.unsupported matchExpressions are not supported by deploy-check']);
  });
});
