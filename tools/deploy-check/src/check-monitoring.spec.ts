import { checkMonitoring, readMonitoringFiles, type MonitoringFiles } from './check-monitoring.ts';
import { cloneJson } from './kube-object.ts';
import { isKnownMetric, metricNamesIn } from './promql-metrics.ts';
import { render, REPO_ROOT, repoFacts } from './testing/render-fixture.ts';

type Rule = { alert: string; expr: string; for?: string };
const rulesOf = (files: MonitoringFiles): Rule[] => (files.alertRules as { groups: { rules: Rule[] }[] }).groups[0]!.rules;
const check = (files: MonitoringFiles): string[] => checkMonitoring(files, repoFacts().metricNames, render('overlays/prod')).map((f) => `${f.rule} ${f.message}`);

describe('metricNamesIn', () => {
  it('finds metric names, not functions, labels, ranges, numbers or grouping', () => {
    expect(
      metricNamesIn('histogram_quantile(0.99, sum by (service, le) (rate(grpc_server_handling_seconds_bucket{grpc_type="unary", x=~"a|b"}[5m]))) > 150e6 and on(pod) up'),
    ).toEqual(['grpc_server_handling_seconds_bucket', 'up']);
    expect(metricNamesIn('max by (target) (router_breaker_state{namespace="$namespace"}) == 2')).toEqual(['router_breaker_state']);
  });

  it('knows histogram series of registered histograms', () => {
    const known = new Set(['grpc_server_handling_seconds']);
    expect(isKnownMetric('grpc_server_handling_seconds_bucket', known)).toBe(true);
    expect(isKnownMetric('grpc_server_handling_second_bucket', known)).toBe(false);
  });
});

describe('checkMonitoring', () => {
  const committed = readMonitoringFiles(REPO_ROOT);

  it('passes the committed rules, dashboard and ServiceMonitor', () => {
    expect(check(committed)).toEqual([]);
  });

  it('fails an alert on a metric the code does not export, and the drifted PrometheusRule', () => {
    const files = cloneJson(committed);
    for (const rule of rulesOf(files)) rule.expr = rule.expr.replace('router_breaker_state', 'router_breaker_status');
    expect(check(files)).toEqual([
      'monitoring.rules-drift spec.groups differs from alert-rules.yaml groups',
      'monitoring.unknown-metric metric router_breaker_status is registered by no code in apps/, libs/ or tools/',
      'monitoring.unknown-metric metric router_breaker_status is registered by no code in apps/, libs/ or tools/',
      'monitoring.required-alert no alert watches router_breaker_state',
    ]);
  });

  it('requires "for" on every alert', () => {
    const files = cloneJson(committed);
    for (const rule of rulesOf(files)) if (rule.alert === 'SophiaMemoryAboveTarget') delete rule.for;
    (files.prometheusRule as { spec: unknown }).spec = { groups: (files.alertRules as { groups: unknown }).groups };
    expect(check(files)).toEqual(['monitoring.rule-shape "for" is missing: a single bad scrape would page']);
  });

  it('fails a dashboard panel on an unknown metric and a missing required chart', () => {
    const files = cloneJson(committed);
    const panels = (files.dashboard as { panels: { title: string; targets?: { expr: string }[] }[] }).panels;
    const fallbacks = panels.find((p) => p.title.startsWith('Fallbacks'))!;
    fallbacks.targets![0]!.expr = 'sum(rate(router_fallback_total[5m]))';
    expect(check(files)).toEqual([
      'monitoring.unknown-metric metric router_fallback_total is registered by no code in apps/, libs/ or tools/',
      'monitoring.dashboard no panel charts router_fallbacks_total',
    ]);
  });

  it('fails a ServiceMonitor that does not select the Services or their metrics port', () => {
    const files = cloneJson(committed);
    const spec = (files.serviceMonitor as { spec: { selector: unknown; endpoints: { port: string }[] } }).spec;
    spec.endpoints[0]!.port = 'http-metrics';
    spec.selector = { matchLabels: { app: 'sophia' } };
    const found = check(files);
    expect(found).toContain('monitoring.service-monitor no endpoint scrapes the port named "metrics"');
    expect(found.filter((f) => f.includes('selector does not match'))).toHaveLength(6);
  });
});
