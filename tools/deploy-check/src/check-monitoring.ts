// deploy/monitoring: the plain rules file and the PrometheusRule must carry the same alerts, every
// alert and dashboard query must name metrics the code exports, the alerts the runbook relies on
// must exist, and the ServiceMonitor must select the Services' metrics port.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { error, type Finding } from './finding.ts';
import { getPath, isRecord, labelsAt, recordsAt, selects, type KubeObject } from './kube-object.ts';
import { isKnownMetric, metricNamesIn } from './promql-metrics.ts';

/** Metrics an alert must watch (brief: breakers, error ratio, p99, RSS). */
export const REQUIRED_ALERT_METRICS = ['router_breaker_state', 'grpc_server_handled_total', 'grpc_server_handling_seconds_bucket', 'process_resident_memory_bytes'];
/** Metrics the dashboard must chart. */
export const REQUIRED_DASHBOARD_METRICS = [
  'grpc_server_handled_total',
  'grpc_server_handling_seconds_bucket',
  'router_breaker_state',
  'router_fallbacks_total',
  'router_decisions_total',
];

/** The monitoring files, parsed. */
export interface MonitoringFiles {
  readonly alertRules: unknown;
  readonly prometheusRule: unknown;
  readonly dashboard: unknown;
  readonly serviceMonitor: unknown;
}

/** Reads deploy/monitoring under `root`; a file that does not parse throws naming it. */
export function readMonitoringFiles(root: string): MonitoringFiles {
  const dir = join(root, 'deploy', 'monitoring');
  const yamlFile = (name: string): unknown => parse(readFileSync(join(dir, name), 'utf8'));
  let dashboard: unknown;
  try {
    dashboard = JSON.parse(readFileSync(join(dir, 'grafana-dashboard.json'), 'utf8'));
  } catch (err) {
    throw new Error(`deploy/monitoring/grafana-dashboard.json: ${(err as Error).message}`);
  }
  return { alertRules: yamlFile('alert-rules.yaml'), prometheusRule: yamlFile('prometheusrule.yaml'), dashboard, serviceMonitor: yamlFile('servicemonitor.yaml') };
}

function checkExpr(subject: string, expr: unknown, known: ReadonlySet<string>): Finding[] {
  if (typeof expr !== 'string' || expr.trim() === '') return [error(subject, 'monitoring.expr', 'expr is missing')];
  return metricNamesIn(expr)
    .filter((name) => !isKnownMetric(name, known))
    .map((name) => error(subject, 'monitoring.unknown-metric', `metric ${name} is registered by no code in apps/, libs/ or tools/`));
}

function checkRules(files: MonitoringFiles, known: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  const groups = getPath(files.alertRules, ['groups']);
  if (JSON.stringify(groups) !== JSON.stringify(getPath(files.prometheusRule, ['spec', 'groups']))) {
    findings.push(error('deploy/monitoring/prometheusrule.yaml', 'monitoring.rules-drift', 'spec.groups differs from alert-rules.yaml groups'));
  }
  const rules = recordsAt(files.alertRules, ['groups']).flatMap((g) => recordsAt(g, ['rules']));
  if (rules.length === 0) findings.push(error('deploy/monitoring/alert-rules.yaml', 'monitoring.rule-shape', 'no rules'));
  const watched = new Set<string>();
  for (const [i, rule] of rules.entries()) {
    const subject = `alert ${typeof rule['alert'] === 'string' ? rule['alert'] : `#${i}`}`;
    if (typeof rule['alert'] !== 'string') findings.push(error(subject, 'monitoring.rule-shape', 'alert name is missing'));
    if (typeof rule['for'] !== 'string') findings.push(error(subject, 'monitoring.rule-shape', '"for" is missing: a single bad scrape would page'));
    if (typeof getPath(rule, ['labels', 'severity']) !== 'string') findings.push(error(subject, 'monitoring.rule-shape', 'labels.severity is missing'));
    if (typeof getPath(rule, ['annotations', 'summary']) !== 'string') findings.push(error(subject, 'monitoring.rule-shape', 'annotations.summary is missing'));
    findings.push(...checkExpr(subject, rule['expr'], known));
    if (typeof rule['expr'] === 'string') for (const m of metricNamesIn(rule['expr'])) watched.add(m);
  }
  for (const metric of REQUIRED_ALERT_METRICS) {
    if (!watched.has(metric)) findings.push(error('deploy/monitoring/alert-rules.yaml', 'monitoring.required-alert', `no alert watches ${metric}`));
  }
  return findings;
}

function checkDashboard(dashboard: unknown, known: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  const subject = 'deploy/monitoring/grafana-dashboard.json';
  const panels = recordsAt(dashboard, ['panels']);
  const ids = new Set<unknown>();
  const charted = new Set<string>();
  for (const panel of panels) {
    const title = `panel "${String(panel['title'])}"`;
    if (ids.has(panel['id'])) findings.push(error(subject, 'monitoring.dashboard', `${title}: duplicate id ${String(panel['id'])}`));
    ids.add(panel['id']);
    if (panel['type'] === 'row') continue;
    const targets = recordsAt(panel, ['targets']);
    if (targets.length === 0) findings.push(error(subject, 'monitoring.dashboard', `${title} has no query`));
    for (const target of targets) {
      findings.push(...checkExpr(`${subject} ${title}`, target['expr'], known));
      if (typeof target['expr'] === 'string') for (const m of metricNamesIn(target['expr'])) charted.add(m);
    }
  }
  for (const metric of REQUIRED_DASHBOARD_METRICS) {
    if (!charted.has(metric)) findings.push(error(subject, 'monitoring.dashboard', `no panel charts ${metric}`));
  }
  return findings;
}

function checkServiceMonitor(serviceMonitor: unknown, objects: readonly KubeObject[]): Finding[] {
  const subject = 'deploy/monitoring/servicemonitor.yaml';
  const selector = labelsAt(serviceMonitor, ['spec', 'selector', 'matchLabels']);
  const ports = recordsAt(serviceMonitor, ['spec', 'endpoints']).map((e) => e['port']);
  const namespaces = getPath(serviceMonitor, ['spec', 'namespaceSelector', 'matchNames']);
  const findings: Finding[] = [];
  for (const service of objects.filter((o) => o.kind === 'Service' && recordsAt(o, ['spec', 'ports']).some((p) => p['name'] === 'metrics'))) {
    const name = `Service ${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
    if (!selects(selector, labelsAt(service, ['metadata', 'labels'])) || Object.keys(selector).length === 0) {
      findings.push(error(subject, 'monitoring.service-monitor', `${name} exposes metrics but the ServiceMonitor selector does not match its labels`));
    }
    if (!Array.isArray(namespaces) || !namespaces.includes(service.metadata.namespace ?? 'default')) {
      findings.push(error(subject, 'monitoring.service-monitor', `${name}: its namespace is not in spec.namespaceSelector.matchNames`));
    }
  }
  if (!ports.includes('metrics')) findings.push(error(subject, 'monitoring.service-monitor', 'no endpoint scrapes the port named "metrics"'));
  if (!isRecord(serviceMonitor)) findings.push(error(subject, 'monitoring.service-monitor', 'not a mapping'));
  return findings;
}

/**
 * Checks the monitoring files against the metric names the code registers and against rendered
 * overlays (`objects`: the Services the ServiceMonitor must find).
 */
export function checkMonitoring(files: MonitoringFiles, knownMetrics: ReadonlySet<string>, objects: readonly KubeObject[]): Finding[] {
  return [...checkRules(files, knownMetrics), ...checkDashboard(files.dashboard, knownMetrics), ...checkServiceMonitor(files.serviceMonitor, objects)];
}
