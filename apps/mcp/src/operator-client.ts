import { createClient, type Client } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { OperatorService } from '@sophia/contracts/ops';

/** The gateway's OperatorService over Connect (HTTP/1.1), one client for every caller. */
export function createOperatorClient(gatewayUrl: string): Client<typeof OperatorService> {
  return createClient(OperatorService, createConnectTransport({ baseUrl: gatewayUrl, httpVersion: '1.1' }));
}

/** Call options carrying the caller's API key and the deadline. */
export function asCaller(apiKey: string, timeoutMs: number, signal?: AbortSignal): { headers: Record<string, string>; timeoutMs: number; signal?: AbortSignal } {
  return { headers: { authorization: `Bearer ${apiKey}` }, timeoutMs, ...(signal ? { signal } : {}) };
}
