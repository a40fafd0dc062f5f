import { findRepoRoot } from '@sophia/dev';
import { checkDeploy } from './check-deploy.ts';
import { checkTracing, readTracingFiles, type TracingFiles } from './check-tracing.ts';
import type { KubeObject } from './kube-object.ts';

const root = findRepoRoot();
const rules = (findings: ReadonlyArray<{ rule: string; message: string }>) => findings.map((f) => `${f.rule}: ${f.message}`);

describe('deploy/monitoring tracing', () => {
  const report = checkDeploy(root);
  const rendered = [...report.renders.values()].flat();

  it('the shipped collector, datasource and service endpoint pass, in every render', () => {
    expect(rules(checkTracing(readTracingFiles(root), rendered))).toEqual([]);
    expect(report.findings.filter((f) => f.rule.startsWith('tracing') || f.rule.startsWith('netpol'))).toEqual([]);
  });

  it('reports a pipeline without memory_limiter or OTLP, a wrong service endpoint, and a datasource Grafana would not load', () => {
    const files = readTracingFiles(root);
    const collector = structuredClone(files.collector) as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const cm = collector.find((d) => d['kind'] === 'ConfigMap')!;
    cm['data']['config.yaml'] = String(cm['data']['config.yaml']).replace('processors: [memory_limiter, batch]', 'processors: [batch]').replace('receivers: [otlp]', 'receivers: [zipkin]');
    const datasource = structuredClone(files.datasource) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    delete datasource['metadata']['labels']['grafana_datasource'];
    const config = rendered.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'sophia-config')!;
    const wrong: KubeObject = { ...config, data: { ...(config as unknown as { data: Record<string, string> }).data, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' } } as KubeObject;
    const broken: TracingFiles = { collector, datasource };
    const found = rules(checkTracing(broken, [wrong])).join('\n');
    expect(found).toContain('memory_limiter must be the first processor');
    expect(found).toContain('receiver "zipkin" is used by the traces pipeline but not defined');
    expect(found).toContain('does not receive OTLP');
    expect(found).toContain('OTEL_EXPORTER_OTLP_ENDPOINT is "http://localhost:4318"');
    expect(found).toContain('grafana_datasource');
  });
});
