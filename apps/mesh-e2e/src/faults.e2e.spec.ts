import { join } from 'node:path';
import { Backend } from '@sophia/contracts/common';
import { OverrideKind, OverrideScope, RouterService } from '@sophia/contracts/router';
import { findRepoRoot, type Mesh } from '@sophia/dev';
import { createServiceClient } from '@sophia/platform';
import { unusedPort } from '@sophia/platform/testing';
import { cancelConnectAfterFirstToken, cancelSseAfterFirstToken, connectCall, describeOutcome, sseCall, type CallOptions, type CallOutcome } from './fault-calls.ts';
import { createScorecard } from './fault-scorecard.ts';
import { setSimulatorFault, startTestMesh } from './mesh-fixture.ts';

/**
 * Issue 4 fault suite: every upstream fault the simulator can inject, end to end through the
 * gateway over OpenAI SSE and Connect streaming. Short timeouts keep it fast; every row of the
 * scorecard (printed, and saved to reports/faults-scorecard.json) must pass.
 */
const FIRST_TOKEN_MS = 1500;
const STALL_MS = 1000;
const FAULT_ENV: Record<string, string> = {
  SOPHIA_SERVERLESS_FIRST_TOKEN_TIMEOUT_MS: String(FIRST_TOKEN_MS),
  SOPHIA_SERVERLESS_STALL_TIMEOUT_MS: String(STALL_MS),
  SOPHIA_GPU_FIRST_TOKEN_TIMEOUT_MS: String(FIRST_TOKEN_MS),
  SOPHIA_GPU_STALL_TIMEOUT_MS: String(STALL_MS),
  SOPHIA_GPU_HEALTH_INTERVAL_MS: '200',
  SOPHIA_GPU_PROBE_TIMEOUT_MS: '200',
  SOPHIA_BREAKER_RESET_MS: '300',
  SOPHIA_BREAKER_WINDOW_MS: '1000',
};
const DEADLINE_MS = 6000;
/** One prompt everywhere: the classifier puts it on one tier, so heal probes the scenario's breaker. */
const PROMPT = 'Tell me about the weather in spring.';

const card = createScorecard();
/** Progress on stderr as rows are judged (Jest only prints a file's output when it ends). */
const progress = (line: string): void => void process.stderr.write(`[faults] ${line}\n`);
const PROTOCOLS = { sse: sseCall, connect: connectCall } as const;
type Protocol = keyof typeof PROTOCOLS;

interface Expectation {
  readonly text: string;
  readonly check: (o: CallOutcome) => boolean;
}

const FALLBACK: Expectation = { text: '200 from gpu, sophia.fallback=true', check: (o) => o.kind === 'ok' && o.backend === 'gpu' && o.fallback };
const ANSWERED: Expectation = { text: '200 (retried or fallback)', check: (o) => o.kind === 'ok' && o.content.length > 0 };
const PRIMARY: Expectation = { text: '200 from serverless, not cut, no fallback', check: (o) => o.kind === 'ok' && o.backend === 'serverless' && !o.fallback };
const MID_STREAM: Expectation = {
  text: 'rescued (200, one stream) or explicit error after tokens',
  check: (o) => (o.kind === 'ok' && o.reasons.some((r) => r.startsWith('rescue'))) || o.kind === 'error-after',
};
const BOTH_DOWN: Expectation = {
  // REST callers get the outcome and the request id (the per-target causes are in the gateway log under it); gRPC callers the targets that failed.
  text: `503 quoting the request id / unavailable naming serverless and gpu, < ${DEADLINE_MS} ms`,
  check: (o) =>
    o.kind === 'error-before' &&
    ((o.status === 503 && /request id \S+/.test(o.message) && !/https?:\/\//.test(o.message)) || (o.status === 'unavailable' && /serverless/.test(o.message) && /gpu/.test(o.message))) &&
    o.elapsedMs < DEADLINE_MS,
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** router_breaker_state per target from the router's /metrics (0 closed, 1 half-open, 2 open). */
async function breakerStates(m: Mesh): Promise<Record<string, number>> {
  const text = await (await fetch(String(m.services['router']!.ready['metrics']))).text();
  const states: Record<string, number> = {};
  for (const match of text.matchAll(/^router_breaker_state\{([^}]*)\} (\d+)/gm)) {
    const target = /target="([^"]+)"/.exec(match[1]!)?.[1];
    if (target) states[target] = Number(match[2]);
  }
  return states;
}

async function clearFaults(m: Mesh): Promise<void> {
  await Promise.all([m.upstreams.serverless, ...m.upstreams.gpu].map((u) => setSimulatorFault(u, undefined)));
}

/**
 * Brings the mesh back to its steady state before a call: no faults, no open breaker, plain
 * requests served by serverless without fallback. Breakers close through their half-open probe.
 */
async function heal(m: Mesh): Promise<void> {
  await clearFaults(m);
  const until = Date.now() + 15_000;
  for (;;) {
    const o = await sseCall(callOptions(m, PROMPT));
    const states = await breakerStates(m);
    const noneOpen = Object.values(states).every((s) => s !== 2);
    if (o.kind === 'ok' && o.backend === 'serverless' && !o.fallback && noneOpen) return;
    if (Date.now() > until) progress(`heal failed: ${describeOutcome(o)} ${JSON.stringify(states)}`);
    if (Date.now() > until) throw new Error(`mesh did not heal: last ${describeOutcome(o)}, breakers ${JSON.stringify(states)}`);
    await sleep(150);
  }
}

/** Every in-flight counter of the mesh: router, GPU pool leases, and each simulator's open requests. */
async function inFlightCounters(m: Mesh): Promise<Record<string, number>> {
  const counters: Record<string, number> = {};
  const routerText = await (await fetch(String(m.services['router']!.ready['metrics']))).text();
  counters['router_inflight_requests'] = Number(/^router_inflight_requests(?:\{[^}]*\})? (\d+)/m.exec(routerText)?.[1] ?? NaN);
  const gpuText = await (await fetch(String(m.services['gpu-inference']!.ready['metrics']))).text();
  for (const match of gpuText.matchAll(/^gpu_pool_inflight_requests\{[^}]*endpoint="([^"]+)"[^}]*\} (\d+)/gm)) counters[`gpu_pool_inflight ${match[1]}`] = Number(match[2]);
  for (const url of [m.upstreams.serverless, ...m.upstreams.gpu]) {
    const stats = (await (await fetch(`${url}/sim/stats`)).json()) as { inFlight: number };
    counters[`sim_inflight ${url}`] = stats.inFlight;
  }
  return counters;
}

function callOptions(m: Mesh, content: string, extra: Partial<CallOptions> = {}): CallOptions {
  return { gatewayUrl: m.gatewayUrl, apiKey: m.apiKey, content, timeoutMs: DEADLINE_MS, ...extra };
}

/** Runs one scenario on both protocols from a healed mesh and records the rows; returns the failures. */
async function runScenario(
  m: Mesh,
  scenario: string,
  expected: Expectation,
  setup: (protocol: Protocol) => Promise<void>,
  content = PROMPT,
  extra: Partial<CallOptions> = {},
): Promise<string[]> {
  const failures: string[] = [];
  for (const protocol of Object.keys(PROTOCOLS) as Protocol[]) {
    await heal(m);
    await setup(protocol);
    const outcome = await PROTOCOLS[protocol](callOptions(m, content, extra));
    const pass = expected.check(outcome);
    const got = describeOutcome(outcome);
    card.add({ scenario, protocol, expected: expected.text, got, pass });
    progress(`${pass ? 'PASS' : 'FAIL'} ${scenario} (${protocol}): ${got}`);
    if (!pass) failures.push(`${protocol}: ${got}`);
  }
  await clearFaults(m);
  return failures;
}

afterAll(() => {
  process.stdout.write(`\nFault scorecard\n${card.render()}\n`);
  card.save(join(findRepoRoot(), 'reports', 'faults-scorecard.json'));
});

describe('upstream faults through the gateway (SSE and Connect)', () => {
  let mesh: Mesh;
  const serverlessFault = (fault: Record<string, unknown>) => () => setSimulatorFault(mesh.upstreams.serverless, fault);
  const allGpuFault = async (fault: Record<string, unknown>): Promise<void> => {
    await Promise.all(mesh.upstreams.gpu.map((u) => setSimulatorFault(u, fault)));
  };

  beforeAll(async () => {
    mesh = await startTestMesh(FAULT_ENV);
  }, 90_000);
  afterAll(async () => {
    await mesh?.stop();
  });

  const beforeFirstToken: Array<[string, Record<string, unknown>, Expectation]> = [
    ['HTTP 500', { kind: 'status', code: 500 }, FALLBACK],
    ['HTTP 502', { kind: 'status', code: 502 }, FALLBACK],
    ['HTTP 503', { kind: 'status', code: 503 }, FALLBACK],
    ['HTTP 429 with Retry-After', { kind: 'rate-limit', retryAfterSeconds: 1 }, ANSWERED],
    ['reset before the first byte', { kind: 'reset-before-first-byte' }, FALLBACK],
    ['stall before the first token', { kind: 'stall-before-first-token' }, FALLBACK],
    ['upstream silent forever', { kind: 'silent' }, FALLBACK],
    ['wrong content type (text/html)', { kind: 'wrong-content-type' }, FALLBACK],
  ];
  it.each(beforeFirstToken)('%s → answered before the first token', async (name, fault, expected) => {
    expect(await runScenario(mesh, `serverless ${name}`, expected, serverlessFault(fault))).toEqual([]);
  }, 60_000);

  it('a slow drip just under the stall timeout is not cut', async () => {
    const drip = { kind: 'slow-drip', ms: STALL_MS - 300 };
    expect(await runScenario(mesh, `serverless slow drip ${drip.ms} ms/token (stall ${STALL_MS})`, PRIMARY, serverlessFault(drip), PROMPT, { maxTokens: 4 })).toEqual([]);
  }, 60_000);

  const midStream: Array<[string, Record<string, unknown>]> = [
    ['stall mid-stream', { kind: 'stall-mid-stream', afterTokens: 3 }],
    ['cut mid-stream', { kind: 'cut-mid-stream', afterTokens: 3 }],
    ['malformed chunk', { kind: 'malformed-chunk', afterTokens: 3 }],
  ];
  it.each(midStream)('%s after tokens reached the client → rescued or an explicit error', async (name, fault) => {
    expect(await runScenario(mesh, `serverless ${name}`, MID_STREAM, serverlessFault(fault), PROMPT, { maxTokens: 12 })).toEqual([]);
  }, 60_000);

  it('a stream cut after tokens with no target able to continue ends with an explicit error', async () => {
    const expected: Expectation = { text: 'explicit error after tokens (no [DONE], error status)', check: (o) => o.kind === 'error-after' };
    const setup = async (): Promise<void> => {
      await setSimulatorFault(mesh.upstreams.serverless, { kind: 'cut-mid-stream', afterTokens: 3 });
      await allGpuFault({ kind: 'status', code: 503 });
    };
    expect(await runScenario(mesh, 'cut mid-stream, every fallback failing', expected, setup, PROMPT, { maxTokens: 12 })).toEqual([]);
  }, 60_000);

  it('the GPU pool unhealthy → a GPU-preferred request is served by serverless', async () => {
    const router = createServiceClient(RouterService, String(mesh.services['router']!.ready['grpc']));
    const setup = async (): Promise<void> => {
      await allGpuFault({ kind: 'health-fail' });
      await sleep(800); // a few health rounds: the pool marks every endpoint unhealthy
      await router.setOverride({
        override: { kind: OverrideKind.BACKEND, scope: OverrideScope.GLOBAL, backend: Backend.GPU, remaining: 1, createdBy: 'fault-suite', reason: 'gpu pool unhealthy scenario' },
      });
    };
    // Once the router's capacity poll has seen the empty pool it skips the GPU override up front
    // (fallback=false); before that it tries the GPU, which fails before any token (fallback=true).
    const servedByServerless: Expectation = {
      text: '200 from serverless: GPU skipped (no healthy endpoint) or fallen back from',
      check: (o) => o.kind === 'ok' && o.backend === 'serverless' && (o.fallback || o.reasons.some((r) => r.endsWith(':gpu_no_healthy_endpoint'))),
    };
    expect(await runScenario(mesh, 'gpu pool unhealthy (override prefers gpu)', servedByServerless, setup)).toEqual([]);
  }, 60_000);

  it('both backends down → 503 naming what failed, inside the deadline', async () => {
    const setup = async (): Promise<void> => {
      await setSimulatorFault(mesh.upstreams.serverless, { kind: 'status', code: 503 });
      await allGpuFault({ kind: 'status', code: 503 });
    };
    expect(await runScenario(mesh, 'both backends 503', BOTH_DOWN, setup)).toEqual([]);
  }, 60_000);

  it('both backends silent → the call ends inside its deadline', async () => {
    const deadline = 4000;
    const expected: Expectation = {
      text: `error (504/503) before tokens, ≤ ${deadline} ms + 1 s`,
      check: (o) => o.kind === 'error-before' && [504, 503, 'deadline_exceeded', 'unavailable'].includes(o.status) && o.elapsedMs < deadline + 1000,
    };
    const setup = async (): Promise<void> => {
      await setSimulatorFault(mesh.upstreams.serverless, { kind: 'silent' });
      await allGpuFault({ kind: 'silent' });
    };
    expect(await runScenario(mesh, 'both backends silent forever', expected, setup, PROMPT, { timeoutMs: deadline })).toEqual([]);
  }, 60_000);

  it('1,000 cancelled streams leave every in-flight counter at zero', async () => {
    await heal(mesh);
    const router = createServiceClient(RouterService, String(mesh.services['router']!.ready['grpc']));
    const breakersBefore = (await router.getBreakers({})).breakers.map((b) => [b.target, b.state, b.consecutiveFailures]);
    // A share of the streams goes to the GPU pool, so its leases are exercised too.
    await router.setOverride({ override: { kind: OverrideKind.BACKEND, scope: OverrideScope.GLOBAL, backend: Backend.GPU, remaining: 300, createdBy: 'fault-suite', reason: 'cancellation leak test' } });
    const total = 1000;
    const concurrency = 25;
    const longStream = `${PROMPT} [[sim:tokens=200]] [[sim:inter-token-ms=20]]`;
    let next = 0;
    const kinds = { early: 0, sseMid: 0, connectMid: 0 };
    const worker = async (): Promise<void> => {
      while (next < total) {
        const i = next++;
        const ac = new AbortController();
        const opts = { ...callOptions(mesh, longStream, { maxTokens: 200 }), signal: ac.signal };
        if (i % 3 === 0) {
          kinds.early += 1;
          setTimeout(() => ac.abort(), i % 20); // before or around the first byte
          await sseCall(opts).catch(() => undefined);
        } else if (i % 3 === 1) {
          kinds.sseMid += 1;
          await cancelSseAfterFirstToken(mesh, longStream, ac);
        } else {
          kinds.connectMid += 1;
          await cancelConnectAfterFirstToken(mesh, longStream, ac);
        }
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const sent = Date.now() - started;
    await router.clearOverride({ id: (await router.listOverrides({})).overrides[0]?.id ?? '', clearedBy: 'fault-suite', reason: 'done' }).catch(() => undefined);
    // Counters must drain to zero shortly after the last cancellation.
    let counters: Record<string, number> = {};
    const until = Date.now() + 15_000;
    do {
      await sleep(200);
      counters = await inFlightCounters(mesh);
    } while (Object.values(counters).some((v) => v !== 0) && Date.now() < until);
    const breakersAfter = (await router.getBreakers({})).breakers.filter((b) => breakersBefore.some(([t]) => t === b.target)).map((b) => [b.target, b.state, b.consecutiveFailures]);
    const zero = Object.values(counters).every((v) => v === 0);
    // A cancellation is not a backend failure: no breaker moves towards open (CLOSED 1 < HALF_OPEN 2
    // < OPEN 3) and no target's run of failures grows. Either may get better: a half-open breaker
    // left by an earlier scenario closes on its first successful probe, and a success ends a run.
    const notWorse = (after: (string | number)[]): (string | number)[] => {
      const before = breakersBefore.find(([t]) => t === after[0]);
      const better = before !== undefined && Number(after[1]) <= Number(before[1]) && Number(after[2]) <= Number(before[2]);
      return better ? before : after;
    };
    const breakersUnchanged = JSON.stringify(breakersAfter.map(notWorse)) === JSON.stringify(breakersBefore);
    card.add({
      scenario: `${total} cancelled streams (${kinds.early} early, ${kinds.sseMid} SSE mid, ${kinds.connectMid} Connect mid; ${sent} ms)`,
      protocol: 'sse+connect',
      expected: 'router/gpu-pool/simulator in-flight = 0; no breaker worse',
      got: `${JSON.stringify(counters)}; breakers ${breakersUnchanged ? 'no worse' : `worse: ${JSON.stringify(breakersAfter)} (before ${JSON.stringify(breakersBefore)})`}`,
      pass: zero && breakersUnchanged,
    });
    progress(`leak test: ${JSON.stringify(counters)} breakers unchanged=${breakersUnchanged} (${sent} ms)`);
    expect(counters).toEqual(Object.fromEntries(Object.keys(counters).map((k) => [k, 0])));
    expect(breakersAfter.map(notWorse)).toEqual(breakersBefore);
  }, 120_000);

  it('recovers after the upstream heals: the breaker opens, then closes and traffic returns to serverless', async () => {
    await heal(mesh);
    await setSimulatorFault(mesh.upstreams.serverless, { kind: 'status', code: 503 });
    // A breaker opens on a failing share of its target's recent outcomes (or on failures spanning
    // SOPHIA_BREAKER_FAILING_FOR_MS), so after the previous test's flood of healthy streams it may
    // take until that flood has left the window: keep failing until it opens, well past the window.
    const during: CallOutcome[] = [];
    const failingSince = Date.now();
    let openStates: Record<string, number> = {};
    let opened = false;
    while (!opened && (during.length < 4 || Date.now() - failingSince < 10_000)) {
      during.push(await sseCall(callOptions(mesh, PROMPT)));
      openStates = await breakerStates(mesh);
      opened = Object.entries(openStates).some(([t, s]) => t.startsWith('serverless:') && s === 2);
    }
    const allServed = during.every((o) => o.kind === 'ok' && o.backend === 'gpu');
    card.add({ scenario: 'serverless 503 until the breaker opens', protocol: 'sse', expected: 'all 200 from gpu; serverless breaker open', got: `${during.length} calls in ${Date.now() - failingSince} ms: ${[...new Set(during.map((o) => o.backend))].join(',')}; breakers ${JSON.stringify(openStates)}`, pass: opened && allServed });
    await setSimulatorFault(mesh.upstreams.serverless, undefined);
    const started = Date.now();
    let after: CallOutcome | undefined;
    while (Date.now() - started < 10_000) {
      await sleep(100);
      after = await connectCall(callOptions(mesh, PROMPT));
      if (after.kind === 'ok' && after.backend === 'serverless' && !after.fallback) break;
    }
    const closedStates = await breakerStates(mesh);
    const closed = Object.entries(closedStates).every(([t, s]) => !t.startsWith('serverless:') || s === 0);
    const recovered = after !== undefined && after.kind === 'ok' && after.backend === 'serverless';
    card.add({ scenario: 'upstream healed: breaker closes', protocol: 'connect', expected: 'traffic back on serverless, breaker closed', got: `${after ? describeOutcome(after) : 'no call'} after ${Date.now() - started} ms; breakers ${JSON.stringify(closedStates)}`, pass: closed && recovered });
    expect({ opened, allServed, closed, recovered }).toEqual({ opened: true, allServed: true, closed: true, recovered: true });
  }, 60_000);
});

describe('connection refused (serverless points at a closed port)', () => {
  let mesh: Mesh;
  beforeAll(async () => {
    const port = await unusedPort();
    mesh = await startTestMesh({ ...FAULT_ENV, SOPHIA_SERVERLESS_BASE_URL: `http://127.0.0.1:${port}/v1` });
  }, 90_000);
  afterAll(async () => {
    await mesh?.stop();
  });

  it('falls back to the GPU pool', async () => {
    const failures: string[] = [];
    for (const protocol of Object.keys(PROTOCOLS) as Protocol[]) {
      await sleep(400); // let an open breaker reach half-open so each call tries serverless first
      const outcome = await PROTOCOLS[protocol](callOptions(mesh, PROMPT));
      const expected: Expectation = {
        text: '200 from gpu (fallback, or breaker already open)',
        check: (o) => o.kind === 'ok' && o.backend === 'gpu' && (o.fallback || o.reasons.some((r) => r.startsWith('breaker_open'))),
      };
      const pass = expected.check(outcome);
      card.add({ scenario: 'serverless connection refused', protocol, expected: expected.text, got: describeOutcome(outcome), pass });
      if (!pass) failures.push(`${protocol}: ${describeOutcome(outcome)}`);
    }
    expect(failures).toEqual([]);
  }, 60_000);
});

describe('serverless provider faults: the next provider answers before GPU is tried', () => {
  let mesh: Mesh;
  const [cheaper, other] = ['deepinfra', 'fireworks'];
  const urlOf = (name: string): string => mesh.upstreams.providers.find((p) => p.name === name)!.url;
  const FROM_OTHER: Expectation = { text: `200 from serverless/${other}, no GPU`, check: (o) => o.kind === 'ok' && o.backend === 'serverless' && o.provider === other };
  const FROM_CHEAPER: Expectation = { text: `200 from serverless/${cheaper}`, check: (o) => o.kind === 'ok' && o.backend === 'serverless' && o.provider === cheaper };

  beforeAll(async () => {
    mesh = await startTestMesh(FAULT_ENV, { serverlessProviders: [cheaper, other] });
  }, 90_000);
  afterAll(async () => {
    await mesh?.stop();
  });

  /** Clears every fault and waits until the cheaper provider answers again (its breaker half-opens and closes). */
  async function healProviders(): Promise<void> {
    await Promise.all([...mesh.upstreams.providers.map((p) => p.url), ...mesh.upstreams.gpu].map((u) => setSimulatorFault(u, undefined)));
    const until = Date.now() + 15_000;
    for (;;) {
      const o = await sseCall(callOptions(mesh, PROMPT));
      if (FROM_CHEAPER.check(o)) return;
      if (Date.now() > until) throw new Error(`providers did not heal: last ${describeOutcome(o)}`);
      await sleep(200);
    }
  }

  async function row(scenario: string, expected: Expectation, setup: () => Promise<void>): Promise<string[]> {
    const failures: string[] = [];
    for (const protocol of Object.keys(PROTOCOLS) as Protocol[]) {
      await healProviders();
      await setup();
      const outcome = await PROTOCOLS[protocol](callOptions(mesh, PROMPT));
      const pass = expected.check(outcome);
      card.add({ scenario, protocol, expected: expected.text, got: `${describeOutcome(outcome)}${outcome.provider ? ` provider=${outcome.provider}` : ''}`, pass });
      progress(`${pass ? 'PASS' : 'FAIL'} ${scenario} (${protocol}): ${describeOutcome(outcome)}`);
      if (!pass) failures.push(`${protocol}: ${describeOutcome(outcome)}`);
    }
    return failures;
  }

  it('the cheaper provider takes the traffic while healthy', async () => {
    expect(await row(`providers healthy: ${cheaper} is cheaper`, FROM_CHEAPER, async () => undefined)).toEqual([]);
  }, 60_000);

  it.each<[string, Record<string, unknown>]>([
    ['HTTP 500', { kind: 'status', code: 500 }],
    ['HTTP 429 with Retry-After', { kind: 'rate-limit', retryAfterSeconds: 1 }],
    ['reset before the first byte', { kind: 'reset-before-first-byte' }],
    ['silent forever', { kind: 'silent' }],
  ])(`${cheaper} %s → answered by ${other}`, async (name, fault) => {
    expect(await row(`provider ${cheaper} ${name}`, FROM_OTHER, () => setSimulatorFault(urlOf(cheaper), fault))).toEqual([]);
  }, 60_000);

  it('every provider down → GPU answers', async () => {
    const setup = async (): Promise<void> => {
      await Promise.all(mesh.upstreams.providers.map((p) => setSimulatorFault(p.url, { kind: 'status', code: 503 })));
    };
    expect(await row('every serverless provider 503', FALLBACK, setup)).toEqual([]);
  }, 60_000);
});
