import type { Readable } from 'node:stream';
import { findJsonBodyProblem } from './json-body-check.ts';
import { invalidRequest, type GatewayHttpError } from './status-to-http.ts';

/**
 * How much of an oversized body is read and thrown away after the 413, so the client (still
 * sending) reads the answer instead of a connection reset; a larger one is cut off.
 */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;
/** The longest the 413 waits for that drain: a client that never finishes its body still hears it. */
const DRAIN_WAIT_MS = 2000;

/**
 * Discards the rest of a refused body, up to DRAIN_LIMIT_BYTES (then destroys the stream); resolves
 * when it has ended or after DRAIN_WAIT_MS, so the 413 is written to a client that is no longer sending.
 */
function drain(source: BodySource): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, DRAIN_WAIT_MS).unref();
    if (source.readableEnded || source.destroyed) return resolve();
    let discarded = 0;
    source.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > DRAIN_LIMIT_BYTES) source.destroy();
    });
    source.once('end', () => resolve());
    source.once('close', () => resolve());
    source.on('error', () => undefined);
    source.resume();
  });
}

/** Options for {@link readJsonBody}. */
export interface ReadJsonBodyOptions {
  readonly maxBytes: number;
  /** The request's `content-length`, when sent: an oversized body is refused before reading it. */
  readonly contentLength?: string | undefined;
}

/** A request readable as a byte stream (HTTP/1 IncomingMessage or HTTP/2 compat request). */
export type BodySource = Readable;

/**
 * Reads a request body as JSON with a size cap, strict UTF-8 and a precise error for each way it
 * can be wrong: 413 (stops keeping bytes as soon as the cap is passed, or before reading when
 * `content-length` already says so; the rest is drained up to a bound so the client hears the 413),
 * 400 for bytes that are not UTF-8, for text that is not JSON, and for a duplicate key or a lone
 * surrogate (json-body-check.ts), naming the field.
 */
export async function readJsonBody(source: BodySource, options: ReadJsonBodyOptions): Promise<{ ok: true; value: unknown } | { ok: false; error: GatewayHttpError }> {
  const tooLarge = invalidRequest(`request body exceeds the limit of ${options.maxBytes} bytes`, null, { status: 413, code: 'request_too_large' });
  const declared = options.contentLength === undefined ? undefined : Number(options.contentLength);
  if (declared !== undefined && Number.isFinite(declared) && declared > options.maxBytes) {
    if (declared <= DRAIN_LIMIT_BYTES) await drain(source);
    return { ok: false, error: tooLarge };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const read = await new Promise<'ok' | 'too-large' | 'aborted'>((resolve) => {
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > options.maxBytes) {
        cleanup();
        void drain(source).then(() => resolve('too-large'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve('ok');
    };
    const onAbort = (): void => {
      cleanup();
      resolve('aborted');
    };
    const cleanup = (): void => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onAbort);
      source.off('close', onClose);
    };
    const onClose = (): void => {
      if (!source.readableEnded) onAbort();
    };
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', onAbort);
    source.on('close', onClose);
  });
  if (read === 'too-large') return { ok: false, error: tooLarge };
  if (read === 'aborted') return { ok: false, error: invalidRequest('request body was not received completely', null, { code: 'incomplete_body' }) };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, size));
  } catch {
    return { ok: false, error: invalidRequest('request body is not valid UTF-8', null, { code: 'invalid_encoding' }) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    return { ok: false, error: invalidRequest(`request body is not valid JSON: ${(err as Error).message}`, null, { code: 'invalid_json' }) };
  }
  const problem = findJsonBodyProblem(text);
  if (problem) return { ok: false, error: invalidRequest(`${problem.path}: ${problem.message}`, problem.path, { code: problem.code }) };
  return { ok: true, value };
}
