import { z } from 'zod';
import { paramPath, type RequestProblem } from '../openai-request-schema.ts';

/** Most texts per call (OpenAI's limit). */
export const MAX_EMBEDDING_INPUTS = 2048;

/** A validated `POST /v1/embeddings` body. */
export interface EmbeddingsRequest {
  /** Catalog id of an embeddings model; "" = the catalog's default. */
  readonly model: string;
  readonly input: string[];
  readonly encoding: 'float' | 'base64';
  readonly dimensions?: number;
  readonly user: string;
}

const schema = z.strictObject(
  {
    model: z.string({ error: 'must be a string' }).max(256, { error: 'must be at most 256 characters' }).nullish(),
    input: z.union([z.string().min(1, { error: 'must not be empty' }), z.array(z.string().min(1, { error: 'must not be empty' })).min(1).max(MAX_EMBEDDING_INPUTS)], {
      error: `must be a non-empty string or an array of 1 to ${MAX_EMBEDDING_INPUTS} non-empty strings (token arrays are not served)`,
    }),
    encoding_format: z.enum(['float', 'base64'], { error: 'must be "float" or "base64"' }).nullish(),
    dimensions: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).min(1, { error: 'must be at least 1' }).max(65536).nullish(),
    user: z.string({ error: 'must be a string' }).max(256).nullish(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unrecognized request argument supplied: ${issue.keys.join(', ')}` : 'request body must be a JSON object') },
);

/** Validates an embeddings body; the first problem names its parameter. */
export function parseEmbeddingsRequest(body: unknown): { ok: true; request: EmbeddingsRequest } | { ok: false; problem: RequestProblem } {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const param = paramPath(key === undefined ? issue.path : [...issue.path, key]);
    return { ok: false, problem: { message: key !== undefined || !param ? issue.message : `${param}: ${issue.message}`, param } };
  }
  const b = r.data;
  return {
    ok: true,
    request: {
      model: b.model ?? '',
      input: typeof b.input === 'string' ? [b.input] : b.input,
      encoding: b.encoding_format ?? 'float',
      ...(b.dimensions != null ? { dimensions: b.dimensions } : {}),
      user: b.user ?? '',
    },
  };
}

/** One vector as OpenAI sends it: numbers, or base64 of little-endian float32 (what the OpenAI SDKs ask for by default). */
export function encodeEmbedding(values: readonly number[], encoding: 'float' | 'base64'): number[] | string {
  if (encoding === 'float') return [...values];
  return Buffer.from(Float32Array.from(values).buffer).toString('base64');
}
