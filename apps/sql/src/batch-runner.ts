import { z } from 'zod';
import { checkDialect, parseTop, runLink, runValidate, UsageError, type createCatalogCache } from './cli-ops.ts';

const lineSchema = z.discriminatedUnion('op', [
  z.object({ id: z.unknown(), op: z.literal('validate'), catalog: z.string().min(1), dialect: z.string().optional(), sql: z.string() }),
  z.object({ id: z.unknown(), op: z.literal('link'), catalog: z.string().min(1), question: z.string(), top: z.unknown().optional() }),
]);

/**
 * Runs one JSONL batch line and returns its output object. A bad line becomes `{id, error}` (the
 * error names the field) so the batch goes on; catalogs come from the shared cache.
 */
export function runBatchLine(line: string, catalogs: ReturnType<typeof createCatalogCache>): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch (err) {
    return { id: null, error: `line is not valid JSON: ${(err as Error).message}` };
  }
  const id = typeof doc === 'object' && doc !== null && 'id' in doc ? (doc as { id: unknown }).id : null;
  const parsed = lineSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue && issue.path.length > 0 ? issue.path.join('.') : 'line';
    return { id, error: `${path}: ${issue?.message ?? 'invalid line'}` };
  }
  const req = parsed.data;
  try {
    const index = catalogs(req.catalog);
    if (req.op === 'validate') {
      checkDialect(req.dialect);
      return { id, ...runValidate(index, req.sql) };
    }
    const top = req.top === undefined ? 5 : parseTop(req.top, 'top');
    return { id, ...runLink(index, req.question, top) };
  } catch (err) {
    if (err instanceof UsageError) return { id, error: err.message };
    throw err;
  }
}
