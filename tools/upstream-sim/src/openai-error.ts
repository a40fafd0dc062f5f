import type { ServerResponse } from 'node:http';

/**
 * OpenAI-style error responses. Every error the simulator returns has this shape, so the mesh's
 * error mapping is exercised exactly as against a real provider.
 */
export interface OpenAiErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** Writes `{"error": {...}}` with the given status and extra headers (e.g. Retry-After). */
export function sendOpenAiError(
  res: ServerResponse,
  status: number,
  error: OpenAiErrorBody,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error }, headers);
}

/** Writes a JSON body with an exact Content-Length. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A 400 for a bad request field. */
export function invalidRequest(message: string, param: string | null, code: string | null = null): OpenAiErrorBody {
  return { message, type: 'invalid_request_error', param, code };
}
