// Lambda Cloud's error answer: `{"error": {"code", "message", "suggestion"}}` with the matching status.
import type { ServerResponse } from 'node:http';

/** Writes one Lambda-style error. */
export function sendLambdaError(res: ServerResponse, status: number, code: string, message: string, suggestion?: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: { code, message, ...(suggestion ? { suggestion } : {}) } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Writes a `{data}` answer. */
export function sendLambdaData(res: ServerResponse, data: unknown): void {
  const body = JSON.stringify({ data });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
