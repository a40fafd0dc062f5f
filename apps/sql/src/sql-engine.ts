import { Code, ConnectError } from '@connectrpc/connect';
import { inSpan } from '@sophia/platform';
import {
  compilePlan,
  createCatalogIndex,
  linkSchema,
  planQuestion,
  semanticModelCatalog,
  tenantRulesByName,
  validateSql,
  type Catalog,
  type CatalogIndex,
  type CatalogTable,
  type SemanticModel,
  type ValidateOptions,
  type ValidationResult,
} from '@sophia/sql-core';
import type { CatalogSource } from './catalog-source.ts';
import type { SqlGenerator } from './llm-sql-generator.ts';
import type { SqlMetrics } from './sql-metrics.ts';
import { startExecuteSpan, tracedValidate } from './sql-spans.ts';
import { QueryFailedError, QueryTimeoutError, type SqlWarehouse, type WarehouseEvent } from './warehouse/warehouse.ts';

/** Where a statement came from (mirrors sophia.sql.v1.SqlSource). */
export type SqlSourceKind = 'verified_query' | 'semantic_model' | 'llm' | 'caller';

/** The answer to a question: the statement to run, why, and the validator's report. */
export interface AskResult {
  /** Validated statement (LIMIT bounded); empty when validation failed. */
  readonly sql: string;
  readonly explanation: string;
  readonly validation: ValidationResult;
  readonly source: SqlSourceKind;
  readonly scope: string;
  readonly repairAttempts: number;
}

/** Limits for Execute; requests above a maximum are refused (INVALID_ARGUMENT), 0 means the default. */
export interface ExecutionLimits {
  readonly defaultRowLimit: number;
  readonly maxRowLimit: number;
  readonly defaultTimeoutMs: number;
  readonly maxTimeoutMs: number;
}

/** Options for {@link createSqlEngine}. */
export interface SqlEngineOptions {
  readonly models: readonly SemanticModel[];
  readonly warehouse: SqlWarehouse;
  /** The LLM path; without it, questions no model covers are FAILED_PRECONDITION. */
  readonly generator?: SqlGenerator | undefined;
  /** Repair rounds after the first LLM proposal. @default 2 */
  readonly maxRepairs?: number;
  readonly limits: ExecutionLimits;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  readonly metrics?: SqlMetrics | undefined;
  /**
   * The catalog for caller SQL and the LLM path when no scope is given (SOPHIA_SQL_CATALOG: the
   * warehouse's INFORMATION_SCHEMA, or a JSON file), merged with the models' tables it does not name.
   * Without it, the models' tables alone (the behaviour before catalogs existed).
   */
  readonly catalog?: CatalogSource | undefined;
}

/** What Execute streams: the statement's provenance, then the warehouse's events. */
export type ExecuteEvent = { readonly kind: 'statement'; readonly sql: string; readonly source: SqlSourceKind; readonly explanation: string } | WarehouseEvent;

/** The SQL service's logic, independent of the transport. */
export interface SqlEngine {
  ask(question: string, scope: string, call: CallInfo): Promise<AskResult>;
  execute(request: ExecuteInput, call: CallInfo): AsyncGenerator<ExecuteEvent, void, undefined>;
  validate(sql: string, scope: string, call: CallInfo): Promise<{ readonly report: ValidationResult; readonly scope: string }>;
  describe(scope: string): Promise<CatalogDescription>;
}

/** What DescribeCatalog reports. */
export interface CatalogDescription {
  readonly models: readonly SemanticModel[];
  readonly catalogs: ReadonlyMap<string, Catalog>;
  readonly warehouse: string;
  /** The configured catalog (only for the empty scope, and only when one is configured). */
  readonly catalog?: { readonly origin: string; readonly tables: readonly CatalogTable[] };
}

/**
 * Who is calling and how to stop. `tenant` is the caller's tenant (from the gateway's API-key auth;
 * null when the call carries none); without `admin`, tenant-scoped tables yield only that tenant's rows.
 */
export interface CallInfo {
  readonly tenant: string | null;
  readonly admin: boolean;
  readonly signal?: AbortSignal;
}

/** Execute's input: exactly one of sql / question. */
export interface ExecuteInput {
  readonly sql?: string;
  readonly question?: string;
  readonly scope: string;
  readonly rowLimit: number;
  readonly timeoutMs: number;
}

const MAX_QUESTION_CHARS = 2000;

function mergeCatalogs(catalogs: readonly Catalog[]): Catalog {
  const byName = new Map<string, CatalogTable>();
  for (const c of catalogs) for (const t of c.tables) if (!byName.has(t.name.toUpperCase())) byName.set(t.name.toUpperCase(), t);
  return { tables: [...byName.values()] };
}

/** Parts of a table name, upper-cased (model base tables are plain, unquoted names). */
const nameParts = (name: string): string[] => name.split('.').map((p) => p.toUpperCase());

/**
 * The configured catalog plus every model table it does not already name. A model's `ORDERS` names
 * `DB.SCHEMA.ORDERS` when its parts are a suffix of the catalog name (case-insensitively); keeping
 * both would make the short name ambiguous, and the warehouse's own description is authoritative.
 */
export function mergeWithModelTables(catalog: Catalog, modelCatalogs: readonly Catalog[]): Catalog {
  const named = catalog.tables.map((t) => nameParts(t.name));
  const covered = (name: string): boolean => {
    const parts = nameParts(name);
    return named.some((full) => parts.length <= full.length && parts.every((p, i) => p === full[full.length - parts.length + i]));
  };
  const extra = mergeCatalogs(modelCatalogs).tables.filter((t) => !covered(t.name));
  return { tables: [...catalog.tables, ...extra] };
}

/** CREATE TABLE-like schema text for the LLM prompt, without the columns `hidden` says the caller may not read. */
function schemaText(catalog: Catalog, tables: readonly string[], hidden: (t: CatalogTable, column: string) => boolean): string {
  return catalog.tables
    .filter((t) => tables.includes(t.name))
    .map((t) => `TABLE ${t.name}${t.description ? ` -- ${t.description}` : ''} (\n${t.columns.filter((c) => !hidden(t, c.name)).map((c) => `  ${c.name} ${c.type}`).join(',\n')}\n)`)
    .join('\n');
}

/**
 * A warehouse error with its quoted values removed (`Could not convert string '…' to INT32`). For
 * callers without admin: a warehouse that evaluates an expression before the tenant filter (Snowflake
 * does not promise an order) would otherwise put another tenant's value in the message.
 */
export function redactValues(message: string): string {
  return message.replace(/'(?:[^'\\]|\\.|'')*'/g, "'…'");
}

/** Appended to an admin's answer over tenant data: it is not limited to one tenant. */
export const CROSS_TENANT_NOTE = 'Admin key: this answer covers every tenant.';

/**
 * Ask / Validate / Execute / DescribeCatalog over semantic models and one warehouse. A question is
 * answered by the first model (in scope) that covers it — a verified query, else the compiled plan —
 * and only when none does by the LLM, whose proposal is validated and compile-checked with up to
 * `maxRepairs` retries that carry the errors back. Every statement passes `validateSql` first.
 */
export function createSqlEngine(options: SqlEngineOptions): SqlEngine {
  const clock = options.clock ?? (() => new Date());
  const maxRepairs = options.maxRepairs ?? 2;
  const models = new Map(options.models.map((m) => [m.name, m]));
  // Tenant isolation: the models declare which tables are shared between tenants.
  const ruleFor = tenantRulesByName(
    options.models.flatMap((m) => m.tables.flatMap((t) => (t.tenant_column ? [{ table: t.base_table, rule: { tenantColumn: t.tenant_column, restrictedColumns: t.restricted_columns } }] : []))),
  );
  const scoping = (call: CallInfo): Pick<ValidateOptions, 'tenantScope' | 'tenantRules'> =>
    call.admin ? { tenantRules: { ruleFor } } : { tenantScope: { tenant: call.tenant, ruleFor } };
  const hiddenFor = (call: CallInfo) => (t: CatalogTable, column: string): boolean =>
    !call.admin && (ruleFor(t)?.restrictedColumns.some((c) => c.toUpperCase() === column.toUpperCase()) ?? false);
  const noteScope = (call: CallInfo, report: ValidationResult, explanation: string): string =>
    call.admin && report.ok && (report.tenantTables?.length ?? 0) > 0 ? `${explanation} ${CROSS_TENANT_NOTE}` : explanation;
  const catalogs = new Map(options.models.map((m) => [m.name, semanticModelCatalog(m)]));
  const indexes = new Map<string, CatalogIndex>();
  const indexFor = (scope: string): CatalogIndex => {
    let index = indexes.get(scope);
    if (!index) {
      index = createCatalogIndex(scope === '' ? mergeCatalogs([...catalogs.values()]) : catalogs.get(scope)!);
      indexes.set(scope, index);
    }
    return index;
  };
  // The index for the empty scope when a catalog is configured: rebuilt only when the source hands out a new catalog.
  const catalogIndexes = new WeakMap<Catalog, CatalogIndex>();
  const indexForSql = async (scope: string): Promise<CatalogIndex> => {
    if (scope !== '' || !options.catalog) return indexFor(scope);
    const current = await options.catalog.current();
    let index = catalogIndexes.get(current);
    if (!index) {
      index = createCatalogIndex(mergeWithModelTables(current, [...catalogs.values()]));
      catalogIndexes.set(current, index);
    }
    return index;
  };
  // A verified query that does not validate is a broken model: fail at start, not at question time.
  for (const model of options.models) {
    for (const vq of model.verified_queries) {
      const report = validateSql(vq.sql, indexFor(model.name));
      if (!report.ok) throw new Error(`semantic model ${model.name}: verified query ${vq.name} is rejected by the validator: ${report.errors.join('; ')}`);
    }
  }
  const checkScope = (scope: string): string => {
    const s = scope.trim();
    if (s !== '' && !models.has(s)) throw new ConnectError(`scope: unknown semantic model "${s}" (known: ${[...models.keys()].join(', ')})`, Code.NotFound);
    return s;
  };
  const checkQuestion = (question: string): string => {
    const q = question.trim();
    if (q === '') throw new ConnectError('question: must not be empty', Code.InvalidArgument);
    if (q.length > MAX_QUESTION_CHARS) throw new ConnectError(`question: ${q.length} characters; the limit is ${MAX_QUESTION_CHARS}`, Code.InvalidArgument);
    return q;
  };

  const askLlm = async (question: string, scope: string, call: CallInfo, maxRows: number, uncovered: string[]): Promise<AskResult> => {
    if (!options.generator) {
      throw new ConnectError(`question: no semantic model covers it (${uncovered.join('; ')}) and no LLM is configured (SOPHIA_ROUTER_ADDR)`, Code.FailedPrecondition);
    }
    const index = await indexForSql(scope);
    const linked = linkSchema(index.catalog, question, { top: 6 }).tables.map((t) => t.name);
    const schema = schemaText(index.catalog, linked, hiddenFor(call));
    let previous: { sql: string; errors: string[] } | undefined;
    let last: ValidationResult | undefined;
    for (let attempt = 0; attempt <= maxRepairs; attempt++) {
      const generator = options.generator;
      const proposal = await inSpan('sql.generate', { 'sophia.sql.repair_attempt': attempt, 'sophia.sql.linked_tables': linked }, () => generator.generate({ question, schema, tenant: call.tenant ?? 'internal', ...(previous ? { previous } : {}) }, call.signal));
      const report = tracedValidate(proposal, index, { maxRows, ...scoping(call) });
      last = report;
      if (report.ok) {
        const compileError = await options.warehouse.check(report.sql!);
        if (compileError === undefined) {
          return { sql: report.sql!, explanation: noteScope(call, report, `Proposed by an LLM through the router for: "${question}"${attempt > 0 ? ` (repaired ${attempt}×)` : ''}.`), validation: report, source: 'llm', scope, repairAttempts: attempt };
        }
        last = { ...report, ok: false, errors: [compileError] };
      }
      previous = { sql: proposal, errors: last.errors };
    }
    return { sql: '', explanation: `The LLM's SQL was still invalid after ${maxRepairs} repair attempts.`, validation: { ...last!, ok: false }, source: 'llm', scope, repairAttempts: maxRepairs };
  };

  const ask = async (questionIn: string, scopeIn: string, call: CallInfo, maxRows: number): Promise<AskResult> => {
    const answer = await answerQuestion(questionIn, scopeIn, call, maxRows);
    options.metrics?.observeAnswer(answer.source, answer.validation.ok, answer.scope, answer.repairAttempts);
    return answer;
  };

  const answerQuestion = async (questionIn: string, scopeIn: string, call: CallInfo, maxRows: number): Promise<AskResult> => {
    const question = checkQuestion(questionIn);
    const scope = checkScope(scopeIn);
    const now = clock();
    const uncovered: string[] = [];
    for (const model of scope === '' ? models.values() : [models.get(scope)!]) {
      const planned = planQuestion(model, question, now);
      if (planned.kind === 'uncovered') {
        uncovered.push(planned.reason);
        continue;
      }
      const compiled = planned.kind === 'verified' ? { sql: planned.sql, explanation: planned.explanation } : compilePlan(model, planned.plan);
      const report = tracedValidate(compiled.sql, indexFor(model.name), { maxRows, ...scoping(call) });
      return {
        sql: report.ok ? report.sql! : '',
        explanation: noteScope(call, report, compiled.explanation),
        validation: report,
        source: planned.kind === 'verified' ? 'verified_query' : 'semantic_model',
        scope: model.name,
        repairAttempts: 0,
      };
    }
    return askLlm(question, scope, call, maxRows, uncovered);
  };

  const limit = (value: number, def: number, max: number, field: string): number => {
    if (!Number.isInteger(value) || value < 0) throw new ConnectError(`${field}: must be a non-negative integer`, Code.InvalidArgument);
    if (value > max) throw new ConnectError(`${field}: ${value} exceeds the maximum ${max}`, Code.InvalidArgument);
    return value === 0 ? def : value;
  };

  return {
    ask: (question, scope, call) => ask(question, scope, call, options.limits.maxRowLimit),
    async validate(sql, scopeIn, call) {
      const scope = checkScope(scopeIn);
      if (sql.trim() === '') throw new ConnectError('sql: must not be empty', Code.InvalidArgument);
      return { report: tracedValidate(sql, await indexForSql(scope), { maxRows: options.limits.maxRowLimit, ...scoping(call) }), scope };
    },
    async *execute(request, call) {
      const rowLimit = limit(request.rowLimit, options.limits.defaultRowLimit, options.limits.maxRowLimit, 'row_limit');
      const timeoutMs = limit(request.timeoutMs, options.limits.defaultTimeoutMs, options.limits.maxTimeoutMs, 'timeout_ms');
      let sql: string;
      let source: SqlSourceKind;
      let explanation: string;
      // One more row than asked, so the result can say whether it was cut.
      if (request.sql !== undefined) {
        const scope = checkScope(request.scope);
        if (request.sql.trim() === '') throw new ConnectError('sql: must not be empty', Code.InvalidArgument);
        const report = tracedValidate(request.sql, await indexForSql(scope), { maxRows: rowLimit + 1, ...scoping(call) });
        if (!report.ok) {
          options.metrics?.observeFailure('rejected');
          throw new ConnectError(`sql: rejected by the validator: ${report.errors.join('; ')}`, Code.InvalidArgument);
        }
        sql = report.sql!;
        source = 'caller';
        explanation = noteScope(call, report, 'Statement given by the caller.');
      } else if (request.question !== undefined) {
        const answer = await ask(request.question, request.scope, call, rowLimit + 1);
        if (!answer.validation.ok) {
          options.metrics?.observeFailure('rejected');
          throw new ConnectError(`question: the generated SQL was rejected by the validator: ${answer.validation.errors.join('; ')}`, Code.InvalidArgument);
        }
        ({ sql, source, explanation } = answer);
      } else {
        throw new ConnectError('query: set exactly one of sql or question', Code.InvalidArgument);
      }
      yield { kind: 'statement', sql, source, explanation };
      const executing = startExecuteSpan(source);
      try {
        for await (const event of executing.observe(options.warehouse.query(sql, { maxRows: rowLimit, timeoutMs, tag: `sophia-sql:${call.tenant ?? 'internal'}`, ...(call.signal ? { signal: call.signal } : {}) }))) {
          if (event.kind === 'end') options.metrics?.observeExecution(event.rowCount, event.truncated);
          yield event;
        }
      } catch (err) {
        executing.fail(err);
        if (err instanceof QueryTimeoutError) {
          options.metrics?.observeFailure('timeout');
          throw new ConnectError(`timeout_ms: ${err.message}`, Code.DeadlineExceeded);
        }
        if (err instanceof QueryFailedError) {
          options.metrics?.observeFailure('warehouse');
          throw new ConnectError(`sql: ${call.admin ? err.message : redactValues(err.message)}`, Code.InvalidArgument);
        }
        throw err;
      } finally {
        executing.end();
      }
    },
    async describe(scopeIn) {
      const scope = checkScope(scopeIn);
      const selected = scope === '' ? [...models.values()] : [models.get(scope)!];
      const base = { models: selected, catalogs, warehouse: options.warehouse.description };
      if (scope !== '' || !options.catalog) return base;
      return { ...base, catalog: { origin: options.catalog.origin, tables: (await options.catalog.current()).tables } };
    },
  };
}
