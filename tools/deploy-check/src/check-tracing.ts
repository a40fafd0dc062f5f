// deploy/monitoring tracing: the OpenTelemetry Collector's pipeline takes OTLP on the port its
// Service exposes and forwards it somewhere, the services' OTEL_EXPORTER_OTLP_ENDPOINT names that
// Service, and Grafana has a traces datasource.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { error, type Finding } from './finding.ts';
import { getPath, isRecord, labelsAt, recordsAt, selects, type KubeObject } from './kube-object.ts';
import { OTEL_COLLECTOR } from './network-flows.ts';

/** The tracing files of deploy/monitoring, parsed. */
export interface TracingFiles {
  readonly collector: readonly unknown[];
  readonly datasource: unknown;
}

/** Reads deploy/monitoring's collector and datasource files; a file that does not parse throws naming it. */
export function readTracingFiles(root: string): TracingFiles {
  const dir = join(root, 'deploy', 'monitoring');
  const collector = parseAllDocuments(readFileSync(join(dir, 'otel-collector.yaml'), 'utf8')).map((d) => d.toJS() as unknown);
  return { collector, datasource: parse(readFileSync(join(dir, 'grafana-traces-datasource.yaml'), 'utf8')) };
}

const SUBJECT = 'deploy/monitoring/otel-collector.yaml';
const portOf = (endpoint: unknown): number | undefined => (typeof endpoint === 'string' ? Number(/:(\d+)$/.exec(endpoint)?.[1]) || undefined : undefined);

function checkPipeline(config: unknown): Finding[] {
  const findings: Finding[] = [];
  const traces = getPath(config, ['service', 'pipelines', 'traces']);
  if (!isRecord(traces)) return [error(SUBJECT, 'tracing.pipeline', 'service.pipelines.traces is missing')];
  for (const part of ['receivers', 'processors', 'exporters'] as const) {
    const named = traces[part];
    if (!Array.isArray(named) || (part !== 'processors' && named.length === 0)) {
      findings.push(error(SUBJECT, 'tracing.pipeline', `service.pipelines.traces.${part} is empty`));
      continue;
    }
    for (const name of named) if (!isRecord(getPath(config, [part, String(name)])) && getPath(config, [part, String(name)]) !== null) findings.push(error(SUBJECT, 'tracing.pipeline', `${part.slice(0, -1)} "${String(name)}" is used by the traces pipeline but not defined`));
  }
  if (!(traces['receivers'] as unknown[] | undefined)?.includes('otlp')) findings.push(error(SUBJECT, 'tracing.pipeline', 'the traces pipeline does not receive OTLP'));
  if (portOf(getPath(config, ['receivers', 'otlp', 'protocols', 'http', 'endpoint'])) !== OTEL_COLLECTOR.ports[0]!.port) {
    findings.push(error(SUBJECT, 'tracing.pipeline', `receivers.otlp.protocols.http must listen on ${OTEL_COLLECTOR.ports[0]!.port} (what the services and the network policy use)`));
  }
  const processors = (traces['processors'] as unknown[] | undefined) ?? [];
  if (processors[0] !== 'memory_limiter') findings.push(error(SUBJECT, 'tracing.pipeline', 'memory_limiter must be the first processor (the collector must shed load before it is OOM-killed)'));
  if (!processors.includes('batch')) findings.push(error(SUBJECT, 'tracing.pipeline', 'no batch processor'));
  return findings;
}

/**
 * Checks the collector's config, Deployment and Service against each other, the endpoint every
 * rendered service is given (`objects`: the overlays' renders), and the Grafana traces datasource.
 */
export function checkTracing(files: TracingFiles, objects: readonly KubeObject[]): Finding[] {
  const findings: Finding[] = [];
  const docs = files.collector.filter(isRecord);
  const byKind = (kind: string) => docs.find((d) => d['kind'] === kind);
  const configMap = byKind('ConfigMap');
  const deployment = byKind('Deployment');
  const service = byKind('Service');
  if (!configMap || !deployment || !service) return [error(SUBJECT, 'tracing.collector', 'needs a ConfigMap, a Deployment and a Service')];
  const configText = getPath(configMap, ['data', 'config.yaml']);
  if (typeof configText !== 'string') findings.push(error(SUBJECT, 'tracing.collector', 'ConfigMap data.config.yaml is missing'));
  else findings.push(...checkPipeline(parse(configText)));
  const podLabels = labelsAt(deployment, ['spec', 'template', 'metadata', 'labels']);
  if (!selects(labelsAt(service, ['spec', 'selector']), podLabels)) findings.push(error(SUBJECT, 'tracing.collector', 'the Service selector does not match the collector pods'));
  if (!selects(OTEL_COLLECTOR.labels, podLabels)) findings.push(error(SUBJECT, 'tracing.collector', `collector pods must carry ${JSON.stringify(OTEL_COLLECTOR.labels)} (the network policy's peer)`));
  const httpPort = recordsAt(service, ['spec', 'ports']).find((p) => p['port'] === OTEL_COLLECTOR.ports[0]!.port);
  if (!httpPort) findings.push(error(SUBJECT, 'tracing.collector', `the Service does not expose ${OTEL_COLLECTOR.ports[0]!.port}`));
  const serviceName = getPath(service, ['metadata', 'name']);
  const expected = `http://${String(serviceName)}.${OTEL_COLLECTOR.namespace}:${OTEL_COLLECTOR.ports[0]!.port}`;
  const configs = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name === 'sophia-config');
  if (configs.length === 0) findings.push(error('deploy/base/config.yaml', 'tracing.endpoint', 'no sophia-config ConfigMap rendered'));
  for (const c of configs) {
    const endpoint = getPath(c, ['data', 'OTEL_EXPORTER_OTLP_ENDPOINT']);
    if (endpoint !== expected) findings.push(error(`ConfigMap ${c.metadata.namespace ?? 'default'}/sophia-config`, 'tracing.endpoint', `OTEL_EXPORTER_OTLP_ENDPOINT is ${JSON.stringify(endpoint)}, expected ${expected} (the collector Service)`));
  }
  const sources = parse(String(getPath(files.datasource, ['data', 'sophia-traces.yaml']) ?? '')) as unknown;
  const traceSources = recordsAt(sources, ['datasources']).filter((d) => d['type'] === 'tempo' || d['type'] === 'jaeger');
  if (getPath(files.datasource, ['metadata', 'labels', 'grafana_datasource']) !== '1') findings.push(error('deploy/monitoring/grafana-traces-datasource.yaml', 'tracing.datasource', 'label grafana_datasource: "1" is missing (the Grafana sidecar would not load it)'));
  if (traceSources.length === 0) findings.push(error('deploy/monitoring/grafana-traces-datasource.yaml', 'tracing.datasource', 'no tempo or jaeger datasource'));
  return findings;
}
