import { pino } from 'pino';
import type { Client } from '@connectrpc/connect';
import type { RouterService } from '@sophia/contracts/router';
import { createApiKeyAuth } from '../api-key-auth.ts';
import { createGatewayServer, type GatewayServer, type GatewayServerOptions } from '../gateway-server.ts';
import { createFakeRouter, inMemoryRouterClient, type FakeScript } from './fake-router.ts';

/** The API key every harness gateway accepts (tenant "acme"). */
export const TEST_KEY = 'sk-test-acme-0123456789';

/** A gateway on port 0 in front of a fake router, for tests. */
export async function startTestGateway(
  options: { script?: FakeScript; router?: Client<typeof RouterService> } & Partial<Omit<GatewayServerOptions, 'router'>> = {},
): Promise<{ gateway: GatewayServer; fake: ReturnType<typeof createFakeRouter> }> {
  const fake = createFakeRouter(options.script);
  const gateway = await createGatewayServer({
    logger: pino({ level: 'silent' }),
    auth: createApiKeyAuth([{ key: TEST_KEY, tenant: 'acme' }]),
    ...options,
    router: options.router ?? inMemoryRouterClient(fake.impl),
  });
  return { gateway, fake };
}

/** Headers of an authenticated JSON request. */
export function jsonHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json', ...extra };
}

/** Parses an SSE body into its `data:` payloads. */
export function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .map((block) => block.trim())
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length));
}

/** A response's JSON body, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-only: bodies are checked by the assertions
export const json = (res: Response): Promise<any> => res.json();
