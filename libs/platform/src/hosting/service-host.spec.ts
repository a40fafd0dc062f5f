import { ClassifierService } from '@sophia/contracts/classifier';
import { InferenceService } from '@sophia/contracts/inference';
import { Tier } from '@sophia/contracts/common';
import { z } from 'zod';
import { ConfigError } from '../config-loader.ts';
import { serviceRegistration } from '../grpc-server.ts';
import { createServiceClient } from '../service-client.ts';
import { checkHealth, listServicesByReflection } from '../testing/grpc-probes.ts';
import { startServiceHost, type RunningServiceHost } from './service-host.ts';
import { defineHostedService, type ServiceModule } from './service-module.ts';
import { selectServices } from './service-selection.ts';

// Two small services: "scorer" serves ClassifierService; "front" serves InferenceService.ListModels
// and answers with what scorer said and how the call reached it (in process or over gRPC).
const scorer: ServiceModule = {
  name: 'scorer',
  portKey: 'SOPHIA_SCORER_PORT',
  defaultPort: 0,
  dependsOn: {},
  load: async () =>
    defineHostedService(z.object({ SOPHIA_SCORER_TIER: z.enum(['simple', 'complex']).default('simple') }), async ({ config }) => ({
      services: [
        serviceRegistration(ClassifierService, {
          classify: (_req, ctx) => ({ tier: config.SOPHIA_SCORER_TIER === 'complex' ? Tier.COMPLEX : Tier.SIMPLE, modelVersion: ctx.requestHeader.get('x-request-id') ?? '' }),
        }),
      ],
    })),
};
const front: ServiceModule = {
  name: 'front',
  portKey: 'SOPHIA_FRONT_PORT',
  defaultPort: 0,
  dependsOn: { scorer: 'required' },
  load: async () =>
    defineHostedService(z.object({}), async ({ connect }) => {
      const client = connect(ClassifierService, 'scorer')!;
      return {
        services: [
          serviceRegistration(InferenceService, {
            async listModels() {
              const res = await client.classify({});
              return { models: [{ id: `${Tier[res.tier]}:${res.modelVersion}` }] };
            },
          }),
        ],
        listening: { extra: 'yes' },
      };
    }),
};
const registry = [front, scorer];

describe('startServiceHost', () => {
  const hosts: RunningServiceHost[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0).reverse()) await h.stop();
  });
  const start = async (env: Record<string, string>): Promise<{ host: RunningServiceHost; lines: Array<Record<string, unknown>> }> => {
    const lines: Array<Record<string, unknown>> = [];
    const host = await startServiceHost({ registry, env: { SOPHIA_LOG_LEVEL: 'silent', ...env }, announce: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
    hosts.push(host);
    return { host, lines };
  };

  it('hosts every service in one process, dependencies first, each on its own gRPC port with health and reflection', async () => {
    // A co-hosted dependency is called in process: the address (nothing listens there) is not used.
    const { lines } = await start({ SOPHIA_SERVICES: 'all', SOPHIA_SCORER_TIER: 'complex', SOPHIA_SCORER_ADDR: '127.0.0.1:9' });
    expect(lines.map((l) => l['service'])).toEqual(['scorer', 'front']);
    expect(lines[1]).toMatchObject({ event: 'listening', extra: 'yes', pid: process.pid });
    for (const line of lines) {
      expect(await checkHealth(String(line['grpc']))).toBe('SERVING');
      expect(line['metrics']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    }
    expect(await listServicesByReflection(String(lines[0]!['grpc']))).toEqual(['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection', 'sophia.classifier.v1.ClassifierService']);
    // The callee saw the request id the front's caller sent, and counted the call in its metrics.
    const models = await createServiceClient(InferenceService, String(lines[1]!['grpc'])).listModels({}, { headers: { 'x-request-id': 'req-7' } });
    expect(models.models[0]!.id).toBe('COMPLEX:req-7');
    const scraped = await (await fetch(String(lines[0]!['metrics']))).text();
    expect(scraped).toMatch(/grpc_server_handled_total\{[^}]*grpc_method="Classify"[^}]*grpc_code="OK"[^}]*\} 1/);
  });

  it('calls a service hosted elsewhere over gRPC at SOPHIA_<NAME>_ADDR', async () => {
    const { lines: scorerLines } = await start({ SOPHIA_SERVICES: 'scorer' });
    const { lines } = await start({ SOPHIA_SERVICES: 'front', SOPHIA_SCORER_ADDR: String(scorerLines[0]!['grpc']) });
    expect(lines.map((l) => l['service'])).toEqual(['front']);
    const models = await createServiceClient(InferenceService, String(lines[0]!['grpc'])).listModels({}, { headers: { 'x-request-id': 'req-8' } });
    expect(models.models[0]!.id).toBe('SIMPLE:req-8');
  });

  it('names every bad key at once: a bad value, a port, and a required dependency neither hosted nor addressed', async () => {
    const err = await start({ SOPHIA_SERVICES: 'front,scorer', SOPHIA_SCORER_TIER: 'medium', SOPHIA_FRONT_PORT: 'eighty' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems.some((p) => p.startsWith('SOPHIA_SCORER_TIER:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('SOPHIA_FRONT_PORT:'))).toBe(true);
    const alone = await start({ SOPHIA_SERVICES: 'front' }).then(() => undefined, (e: unknown) => e as ConfigError);
    expect(alone?.problems).toEqual([expect.stringMatching(/^SOPHIA_SCORER_ADDR: required — front calls scorer, which this process does not host/)]);
  });
});

describe('selectServices (SOPHIA_SERVICES)', () => {
  const names = (spec: string | undefined): string[] => selectServices(registry, spec).map((m) => m.name);
  it('takes all by default and orders dependencies first', () => {
    expect(names(undefined)).toEqual(['scorer', 'front']);
    expect(names('all')).toEqual(['scorer', 'front']);
    expect(names(' front , scorer ')).toEqual(['scorer', 'front']);
    expect(names('front')).toEqual(['front']);
  });
  it('refuses unknown, repeated and empty lists, naming the key', () => {
    expect(() => names('front,router')).toThrow(/SOPHIA_SERVICES: unknown service "router" \(known: front, scorer, or "all"\)/);
    expect(() => names('front,front')).toThrow(/SOPHIA_SERVICES: "front" is listed twice/);
    expect(() => names(',')).toThrow(/SOPHIA_SERVICES: empty/);
  });
  it('refuses a dependency cycle in the registry', () => {
    const a: ServiceModule = { ...scorer, name: 'a', dependsOn: { b: 'optional' } };
    const b: ServiceModule = { ...scorer, name: 'b', dependsOn: { a: 'optional' } };
    expect(() => selectServices([a, b], 'all')).toThrow(/dependency cycle a → b → a/);
  });
});
