/**
 * Availability under load (issue 4, item 7): starts a mesh, makes the serverless upstream fail a
 * share of calls (`fail-rate` with an inner 503), sends a load of streaming chat completions through
 * the gateway and reports how many succeeded (via fallback or retry), where they were served, and
 * latency. A measurement, not a test:
 *
 *   node apps/mesh-e2e/src/availability-run.ts [--requests 2000] [--concurrency 16] [--p 0.3]
 *
 * Prints a JSON summary and saves it to reports/availability.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findRepoRoot } from '@sophia/dev';
import { sseCall, type CallOutcome } from './fault-calls.ts';
import { meshLogs, setSimulatorFault, startTestMesh } from './mesh-fixture.ts';

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '16' }, p: { type: 'string', default: '0.3' } },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const p = Number(values.p);
if (!Number.isInteger(requests) || requests < 1) throw new Error(`--requests: expected a positive integer, got ${values.requests}`);
if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency: expected a positive integer, got ${values.concurrency}`);
if (!(p >= 0 && p <= 1)) throw new Error(`--p: expected a probability in [0,1], got ${values.p}`);

const mesh = await startTestMesh();
try {
  await setSimulatorFault(mesh.upstreams.serverless, { kind: 'fail-rate', p, inner: { kind: 'status', code: 503 } });
  const outcomes: CallOutcome[] = [];
  let next = 0;
  const started = Date.now();
  const worker = async (): Promise<void> => {
    while (next < requests) {
      const i = next++;
      outcomes.push(await sseCall({ gatewayUrl: mesh.gatewayUrl, apiKey: mesh.apiKey, content: `Question ${i}: tell me about the weather in spring.`, maxTokens: 8, timeoutMs: 30_000 }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = Date.now() - started;
  const stats = (await (await fetch(`${mesh.upstreams.serverless}/sim/stats`)).json()) as { requests: number; byStatus: Record<string, number> };
  const ok = outcomes.filter((o) => o.kind === 'ok');
  const routerMetrics = await (await fetch(String(mesh.services['router']!.ready['metrics']))).text();
  const breakerTransitions = [...routerMetrics.matchAll(/^router_breaker_transitions_total\{([^}]*)\} (\d+)/gm)].map((m) => `${m[1]!.replace(/,?service="[^"]*"/, '')} ${m[2]}`);
  const reasonCounts = Object.fromEntries([...routerMetrics.matchAll(/^router_decision_reasons_total\{reason="([^"]+)"[^}]*\} (\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
  const latencies = ok.map((o) => o.elapsedMs).sort((a, b) => a - b);
  const pct = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const summary = {
    generatedAt: new Date().toISOString(),
    serverlessFault: `fail-rate p=${p} inner=503`,
    requests,
    concurrency,
    succeeded: ok.length,
    failed: outcomes.length - ok.length,
    successRate: ok.length / outcomes.length,
    servedBy: { serverless: ok.filter((o) => o.backend === 'serverless').length, gpu: ok.filter((o) => o.backend === 'gpu').length },
    withFallback: ok.filter((o) => o.fallback).length,
    failures: [...new Set(outcomes.filter((o) => o.kind !== 'ok').map((o) => `${o.kind} ${o.status}: ${o.message.slice(0, 120)}`))].slice(0, 10),
    latencyMs: { p50: pct(0.5), p99: pct(0.99), max: latencies.at(-1) ?? 0 },
    breakerTransitions,
    decisionReasons: reasonCounts,
    throughputPerSec: Math.round((outcomes.length / elapsedMs) * 1000 * 10) / 10,
    serverlessUpstream: { calls: stats.requests, byStatus: stats.byStatus, extraCallsPerRequest: Math.round(((stats.requests - requests) / requests) * 1000) / 1000 },
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  const dir = join(findRepoRoot(), 'reports');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'availability.json'), `${JSON.stringify(summary, null, 2)}\n`);
} catch (err) {
  process.stderr.write(meshLogs.slice(-50).join('\n'));
  throw err;
} finally {
  await mesh.stop();
}
