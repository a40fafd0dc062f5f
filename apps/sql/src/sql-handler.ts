import { create } from '@bufbuild/protobuf';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import {
  AskResponseSchema,
  DescribeCatalogResponseSchema,
  SqlSource,
  ValidateResponseSchema,
  ValueSchema,
  type SqlService,
  type Value,
  type ValidationReport,
} from '@sophia/contracts/sql';
import type { CatalogTable, ValidationResult } from '@sophia/sql-core';
import type { CallInfo, SqlEngine, SqlSourceKind } from './sql-engine.ts';
import type { Cell } from './warehouse/warehouse.ts';

/** Header the gateway sets to the authenticated tenant (LLM calls are billed to it). */
export const TENANT_HEADER = 'x-sophia-tenant';
/** Rows per RowBatch message. */
export const ROWS_PER_BATCH = 500;

const SOURCES: Record<SqlSourceKind, SqlSource> = {
  verified_query: SqlSource.VERIFIED_QUERY,
  semantic_model: SqlSource.SEMANTIC_MODEL,
  llm: SqlSource.LLM,
  caller: SqlSource.CALLER,
};

function report(v: ValidationResult): Omit<ValidationReport, '$typeName'> {
  return { ok: v.ok, errors: v.errors, tables: v.tables, columns: v.columns };
}

/** One cell on the wire (see `Value` in sql.proto). */
export function toValue(cell: Cell): Value {
  if (cell === null) return create(ValueSchema, { kind: { case: 'isNull', value: true } });
  if (typeof cell === 'bigint') return create(ValueSchema, { kind: { case: 'integer', value: cell } });
  if (typeof cell === 'number') return create(ValueSchema, { kind: { case: 'real', value: cell } });
  if (typeof cell === 'boolean') return create(ValueSchema, { kind: { case: 'boolean', value: cell } });
  return create(ValueSchema, { kind: { case: 'text', value: cell } });
}

/**
 * DescribeCatalog's entry for the configured catalog (SOPHIA_SQL_CATALOG), listed after the models
 * for the empty scope: the contract has no catalog field yet, and a leading underscore cannot clash
 * with a model name (lower_snake_case starting with a letter). Its description is the catalog's origin.
 */
export const CATALOG_ENTRY = '_catalog';

function tableInfo(t: CatalogTable): { name: string; description: string; columns: Array<{ name: string; type: string }> } {
  return { name: t.name, description: t.description ?? '', columns: t.columns.map((c) => ({ name: c.name, type: c.type })) };
}

/**
 * Header the gateway sets to the authenticated key's scopes (`chat,admin`); `admin` lifts tenant
 * isolation. Both headers come from the gateway, which replaces whatever a client sent.
 */
export const SCOPES_HEADER = 'x-sophia-scopes';

/** The caller as the gateway authenticated it: tenant (none when the header is absent) and admin scope. */
export function callOf(ctx: Pick<HandlerContext, 'requestHeader' | 'signal'>): CallInfo {
  const tenant = ctx.requestHeader.get(TENANT_HEADER)?.trim() || null;
  const scopes = (ctx.requestHeader.get(SCOPES_HEADER) ?? '').split(/[\s,+]+/).filter((x) => x.length > 0);
  return { tenant, admin: scopes.includes('admin'), signal: ctx.signal };
}

/** The gRPC face of the {@link SqlEngine}: message mapping only. */
export function createSqlHandler(engine: SqlEngine): ServiceImpl<typeof SqlService> {
  return {
    async ask(req, ctx) {
      const a = await engine.ask(req.question, req.scope, callOf(ctx));
      return create(AskResponseSchema, {
        sql: a.sql,
        explanation: a.explanation,
        tables: a.validation.tables,
        columns: a.validation.columns,
        validation: report(a.validation),
        source: SOURCES[a.source],
        scope: a.scope,
        repairAttempts: a.repairAttempts,
      });
    },
    async *execute(req, ctx) {
      const started = Date.now();
      const input = {
        ...(req.query.case === 'sql' ? { sql: req.query.value } : {}),
        ...(req.query.case === 'question' ? { question: req.query.value } : {}),
        scope: req.scope,
        rowLimit: req.rowLimit,
        timeoutMs: req.timeoutMs,
      };
      let statement: { sql: string; source: SqlSourceKind; explanation: string } | undefined;
      for await (const event of engine.execute(input, callOf(ctx))) {
        if (event.kind === 'statement') statement = event;
        else if (event.kind === 'header') {
          yield {
            event: {
              case: 'header',
              value: { columns: event.columns.map((c) => ({ name: c.name, type: c.type })), sql: statement?.sql ?? '', source: SOURCES[statement?.source ?? 'caller'], explanation: statement?.explanation ?? '' },
            },
          };
        } else if (event.kind === 'rows') {
          for (let i = 0; i < event.rows.length; i += ROWS_PER_BATCH) {
            const rows = event.rows.slice(i, i + ROWS_PER_BATCH).map((r) => ({ values: r.map(toValue) }));
            yield { event: { case: 'rows', value: { rows } } };
          }
        } else {
          yield { event: { case: 'summary', value: { rowCount: BigInt(event.rowCount), truncated: event.truncated, elapsedMs: Date.now() - started } } };
        }
      }
    },
    async validate(req, ctx) {
      const { report: v } = await engine.validate(req.sql, req.scope, callOf(ctx));
      return create(ValidateResponseSchema, { report: report(v), sql: v.ok ? v.sql! : '' });
    },
    async describeCatalog(req) {
      const d = await engine.describe(req.scope);
      const catalogEntry = d.catalog
        ? [{ name: CATALOG_ENTRY, description: d.catalog.origin, tables: d.catalog.tables.map(tableInfo), measures: [], dimensions: [], timeDimensions: [], verifiedQuestions: [] }]
        : [];
      return create(DescribeCatalogResponseSchema, {
        warehouse: d.warehouse,
        models: [
          ...d.models.map((m) => ({
            name: m.name,
            description: m.description,
            tables: (d.catalogs.get(m.name)?.tables ?? []).map(tableInfo),
            measures: m.tables.flatMap((t) => t.measures.map((x) => x.name)),
            dimensions: m.tables.flatMap((t) => t.dimensions.map((x) => x.name)),
            timeDimensions: m.tables.flatMap((t) => t.time_dimensions.map((x) => x.name)),
            verifiedQuestions: m.verified_queries.map((v) => v.question),
          })),
          ...catalogEntry,
        ],
      });
    },
  };
}
