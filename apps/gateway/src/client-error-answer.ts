import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** After the answer, how much more of what the client is still sending is read and dropped, and for how long. */
const LINGER_BYTES = 1024 * 1024;
const LINGER_MS = 2000;

/**
 * The answer to an HTTP/1.1 request Node's parser refused before any handler ran: 431 for headers
 * over the size limit, 408 for a request head not finished within the header timeout (slowloris),
 * 400 otherwise — each with an OpenAI-style JSON error. Node's default writes the status and destroys
 * the socket at once, so a client still sending (64 KB of headers) gets a connection reset instead
 * of the answer; here the socket is half-closed and the client's remaining bytes are read and dropped
 * for a bounded time first.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, limits: { maxHeaderBytes: number; headersTimeoutMs: number }): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'request_headers_too_large', `request headers exceed the limit of ${limits.maxHeaderBytes} bytes`]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', `request head not received within ${limits.headersTimeoutMs} ms`]
        : [400, 'bad_request', 'malformed HTTP/1.1 request'];
  const body = JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code } });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  let dropped = 0;
  socket.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) socket.destroy();
  });
  socket.on('error', () => undefined);
  socket.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
