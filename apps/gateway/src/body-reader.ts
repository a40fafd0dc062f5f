import type { Readable } from 'node:stream';
import { invalidRequest, type GatewayHttpError } from './status-to-http.ts';

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
 * can be wrong: 413 (stops reading as soon as the cap is passed, or before reading when
 * `content-length` already says so), 400 for bytes that are not UTF-8, 400 for text that is not JSON.
 */
export async function readJsonBody(source: BodySource, options: ReadJsonBodyOptions): Promise<{ ok: true; value: unknown } | { ok: false; error: GatewayHttpError }> {
  const tooLarge = invalidRequest(`request body exceeds the limit of ${options.maxBytes} bytes`, null, { status: 413, code: 'request_too_large' });
  const declared = options.contentLength === undefined ? undefined : Number(options.contentLength);
  if (declared !== undefined && Number.isFinite(declared) && declared > options.maxBytes) return { ok: false, error: tooLarge };
  const chunks: Buffer[] = [];
  let size = 0;
  const read = await new Promise<'ok' | 'too-large' | 'aborted'>((resolve) => {
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > options.maxBytes) {
        cleanup();
        source.pause();
        resolve('too-large');
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
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: invalidRequest(`request body is not valid JSON: ${(err as Error).message}`, null, { code: 'invalid_json' }) };
  }
}
