import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '@sophia/dev';
import { unusedPort } from '@sophia/platform/testing';

/** A span as Jaeger's query API returns it (`/api/traces/{id}`), the fields the suites read. */
export interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly references: ReadonlyArray<{ readonly refType: string; readonly traceID: string; readonly spanID: string }>;
  readonly tags: ReadonlyArray<{ readonly key: string; readonly value: unknown }>;
  readonly logs: ReadonlyArray<{ readonly fields: ReadonlyArray<{ readonly key: string; readonly value: unknown }> }>;
  readonly processID: string;
}

/** One trace from the query API, with each span's service name resolved. */
export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: ReadonlyArray<JaegerSpan & { readonly service: string }>;
}

/** A Jaeger started by a suite: OTLP/HTTP in, query API and UI out, in-memory storage. */
export interface TestJaeger {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly otlpEndpoint: string;
  /** Query API and UI root, e.g. `http://127.0.0.1:16686`. */
  readonly queryUrl: string;
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  stop(): Promise<void>;
}

/** The pinned binary (tools/jaeger/ensure-jaeger.sh builds it; .ci/run calls that). */
export function jaegerBinary(): string {
  const result = spawnSync('sh', [join(findRepoRoot(), 'tools/jaeger/ensure-jaeger.sh')], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tools/jaeger/ensure-jaeger.sh failed: ${result.stderr}`);
  return result.stdout.trim();
}

function config(ports: { otlp: number; query: number; queryGrpc: number; health: number }): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:${ports.health}
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${ports.query}
    grpc:
      endpoint: 127.0.0.1:${ports.queryGrpc}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 10000
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${ports.otlp}
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

async function waitForQueryApi(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`jaeger exited with ${child.exitCode}: ${log()}`);
    const ok = await fetch(`${url}/api/services`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`jaeger's query API at ${url} never answered: ${log()}`);
}

/** Starts Jaeger on free loopback ports with a config file in a temp folder (removed by `stop`). */
export async function startJaeger(): Promise<TestJaeger> {
  const binary = jaegerBinary();
  const ports = { otlp: await unusedPort(), query: await unusedPort(), queryGrpc: await unusedPort(), health: await unusedPort() };
  const dir = mkdtempSync(join(tmpdir(), 'sophia-jaeger-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, config(ports));
  const output: string[] = [];
  const child = spawn(binary, ['--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (b: Buffer) => output.push(b.toString()));
  child.stderr?.on('data', (b: Buffer) => output.push(b.toString()));
  const queryUrl = `http://127.0.0.1:${ports.query}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForQueryApi(queryUrl, child, () => output.join('').slice(-2000));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    otlpEndpoint: `http://127.0.0.1:${ports.otlp}`,
    queryUrl,
    async trace(traceId) {
      const res = await fetch(`${queryUrl}/api/traces/${traceId}`);
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`jaeger /api/traces/${traceId}: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { data: Array<{ traceID: string; spans: JaegerSpan[]; processes: Record<string, { serviceName: string }> }> };
      const t = body.data[0];
      if (!t) return undefined;
      return { traceID: t.traceID, spans: t.spans.map((s) => ({ ...s, service: t.processes[s.processID]?.serviceName ?? '' })) };
    },
    stop,
  };
}
