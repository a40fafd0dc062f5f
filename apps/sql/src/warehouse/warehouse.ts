import type { Catalog } from '@sophia/sql-core';

/** A result column as the warehouse names and types it. */
export interface WarehouseColumn {
  readonly name: string;
  readonly type: string;
}

/**
 * One cell: null, integers as bigint, floating point as number, booleans, and everything else
 * (DECIMAL, DATE, TIMESTAMP, VARCHAR, …) as the warehouse's text rendering.
 */
export type Cell = null | string | bigint | number | boolean;

/** What a running query yields: the columns first, then row batches, then how it ended. */
export type WarehouseEvent =
  | { readonly kind: 'header'; readonly columns: readonly WarehouseColumn[] }
  | { readonly kind: 'rows'; readonly rows: ReadonlyArray<readonly Cell[]> }
  | { readonly kind: 'end'; readonly rowCount: number; readonly truncated: boolean };

/** Per-statement limits. */
export interface QueryOptions {
  /** Stop after this many rows (`truncated` tells whether more existed). */
  readonly maxRows: number;
  /** The warehouse interrupts the statement after this long (→ {@link QueryTimeoutError}). */
  readonly timeoutMs: number;
  /** The caller went away: stop and release the statement. */
  readonly signal?: AbortSignal;
  /** Label for the warehouse's query history (Snowflake QUERY_TAG). */
  readonly tag?: string;
}

/** The statement ran longer than its timeout and was interrupted. */
export class QueryTimeoutError extends Error {
  override readonly name = 'QueryTimeoutError';
}

/** The warehouse refused or failed the statement (its message, safe to show: it names SQL, not secrets). */
export class QueryFailedError extends Error {
  override readonly name = 'QueryFailedError';
}

/**
 * Where validated SQL runs: DuckDB embedded (the default) or Snowflake. Statements arrive already
 * validated in Snowflake dialect; each adapter translates what its engine needs.
 */
export interface SqlWarehouse {
  /** "duckdb:<path>" or "snowflake:<account>/<database>", for logs and DescribeCatalog. */
  readonly description: string;
  /** Streams one statement's result. */
  query(sql: string, options: QueryOptions): AsyncGenerator<WarehouseEvent, void, undefined>;
  /** Compile-checks a statement without running it; the warehouse's error message, or undefined when it compiles. */
  check(sql: string): Promise<string | undefined>;
  /**
   * The tables and views the warehouse exposes, read from INFORMATION_SCHEMA: names `DB.SCHEMA.TABLE`
   * as reported (case kept), ordered, columns in ordinal order with the reported type, comments as
   * descriptions. Uncached — callers cache (see createCatalogCache).
   */
  describeCatalog(): Promise<Catalog>;
  close(): Promise<void>;
}
