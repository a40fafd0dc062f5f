import { Code, type Client } from '@connectrpc/connect';
import { SqlSource, type SqlService, type Value } from '@sophia/contracts/sql';
import type { Logger } from '@sophia/platform';
import { z } from 'zod';
import { presentedApiKey, type ApiKeyAuth } from './api-key-auth.ts';
import { readJsonBody, type BodySource } from './body-reader.ts';
import { writeJson, writeOpenAiError, type HttpResponseSink } from './openai-response-writer.ts';
import { headersFromNode } from './request-context.ts';
import { sqlCallerHeaders, sqlClientError } from './sql-service-proxy.ts';
import { httpStatusForCode, invalidRequest } from './status-to-http.ts';

/** Options for {@link createSqlRoutes}. */
export interface SqlRoutesOptions {
  readonly sql: Client<typeof SqlService>;
  readonly auth: ApiKeyAuth;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  readonly requestTimeoutMs: number;
}

const askBody = z.strictObject({
  question: z.string().trim().min(1, 'must be a non-empty string'),
  scope: z.string().optional(),
  /** Run the SQL and return the rows. @default true */
  execute: z.boolean().optional(),
  row_limit: z.number().int().min(0).optional(),
});

const SOURCE_NAMES: Record<SqlSource, string> = {
  [SqlSource.UNSPECIFIED]: 'unspecified',
  [SqlSource.VERIFIED_QUERY]: 'verified_query',
  [SqlSource.SEMANTIC_MODEL]: 'semantic_model',
  [SqlSource.LLM]: 'llm',
  [SqlSource.CALLER]: 'caller',
};

/** A cell as JSON: integers as numbers when exactly representable, else as strings. */
export function jsonCell(v: Value): string | number | boolean | null {
  switch (v.kind.case) {
    case 'integer':
      return v.kind.value >= BigInt(Number.MIN_SAFE_INTEGER) && v.kind.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v.kind.value) : v.kind.value.toString();
    case 'real':
    case 'text':
    case 'boolean':
      return v.kind.value;
    default:
      return null;
  }
}

/** The `/v1/sql/*` requests this handler answers (the gateway's fallback routes the rest elsewhere). */
export function isSqlRoute(url: string | undefined): boolean {
  return (url ?? '').split('?')[0]!.startsWith('/v1/sql/');
}

/**
 * REST face of the SQL service: `POST /v1/sql/ask` with `{"question", "scope"?, "execute"?,
 * "row_limit"?}` answers `{sql, explanation, source, scope, tables, columns, validation, result?:
 * {columns, rows, row_count, truncated}}` — the question is asked once (Ask) and, when `execute`
 * is not false, its validated SQL is run (Execute with that SQL). API-key auth as for chat.
 */
export function createSqlRoutes(options: SqlRoutesOptions): (req: BodySource & { url?: string | undefined; method?: string | undefined; headers: NodeJS.Dict<string | string[]> }, res: HttpResponseSink) => void {
  const { sql, auth, logger } = options;
  const fail = (res: HttpResponseSink, err: unknown): void => {
    const e = sqlClientError(err, logger);
    // FAILED_PRECONDITION here means "no model covers the question and no LLM is configured": the
    // request cannot be served as asked (422), not a server fault.
    const status = e.code === Code.FailedPrecondition ? 422 : httpStatusForCode(e.code);
    writeOpenAiError(res, invalidRequest(e.rawMessage, e.rawMessage.match(/^([a-z_]+):/)?.[1] ?? null, { status, code: `sql_${Code[e.code]}` }));
  };
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/v1/sql/ask') {
      writeOpenAiError(res, invalidRequest(`unknown SQL route ${path}; use POST /v1/sql/ask`, null, { status: 404, code: 'not_found' }));
      return;
    }
    if (req.method !== 'POST') {
      writeOpenAiError(res, invalidRequest('use POST for /v1/sql/ask', null, { status: 405, code: 'method_not_allowed' }));
      return;
    }
    const headers = headersFromNode(req.headers);
    const caller = auth.callerFor(presentedApiKey(headers));
    if (caller === undefined) {
      writeOpenAiError(res, { status: 401, type: 'authentication_error', code: 'invalid_api_key', message: 'missing or invalid API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"', param: null });
      return;
    }
    void (async () => {
      const body = await readJsonBody(req, { maxBytes: options.maxBodyBytes, contentLength: headers.get('content-length') ?? undefined });
      if (!body.ok) return writeOpenAiError(res, body.error);
      const parsed = askBody.safeParse(body.value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const param = issue.path.map(String).join('.') || null;
        return writeOpenAiError(res, invalidRequest(`${param ?? 'body'}: ${issue.message}`, param));
      }
      const call = { headers: sqlCallerHeaders(caller), timeoutMs: options.requestTimeoutMs };
      try {
        const ask = await sql.ask({ question: parsed.data.question, scope: parsed.data.scope ?? '' }, call);
        const answer: Record<string, unknown> = {
          sql: ask.sql,
          explanation: ask.explanation,
          source: SOURCE_NAMES[ask.source],
          scope: ask.scope,
          tables: ask.tables,
          columns: ask.columns,
          validation: { ok: ask.validation?.ok ?? false, errors: ask.validation?.errors ?? [] },
          repair_attempts: ask.repairAttempts,
        };
        if (parsed.data.execute !== false && ask.sql !== '') {
          const columns: Array<{ name: string; type: string }> = [];
          const rows: Array<Array<string | number | boolean | null>> = [];
          let rowCount = 0;
          let truncated = false;
          for await (const m of sql.execute({ query: { case: 'sql', value: ask.sql }, scope: ask.scope, rowLimit: parsed.data.row_limit ?? 0 }, call)) {
            if (m.event.case === 'header') columns.push(...m.event.value.columns.map((c) => ({ name: c.name, type: c.type })));
            else if (m.event.case === 'rows') rows.push(...m.event.value.rows.map((r) => r.values.map(jsonCell)));
            else if (m.event.case === 'summary') {
              rowCount = Number(m.event.value.rowCount);
              truncated = m.event.value.truncated;
            }
          }
          answer['result'] = { columns, rows, row_count: rowCount, truncated };
        }
        writeJson(res, 200, answer);
      } catch (err) {
        fail(res, err);
      }
    })().catch((err: unknown) => fail(res, err));
  };
}
