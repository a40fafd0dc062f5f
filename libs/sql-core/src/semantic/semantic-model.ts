import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseCatalog, type Catalog } from '../catalog.ts';

const LOGICAL_NAME = /^[a-z][a-z0-9_]*$/;
const logicalName = z.string().regex(LOGICAL_NAME, 'must be lower_snake_case (letters, digits, _)');
const text = z.string().trim().min(1, 'must be a non-empty string');
const synonyms = z.array(text).default([]);

const dimensionSchema = z.strictObject({
  name: logicalName,
  expr: text,
  description: z.string().default(''),
  synonyms,
  /** Values a question may name verbatim ("for tenant acme") to filter on this dimension. */
  sample_values: z.array(text).default([]),
});

const timeDimensionSchema = z.strictObject({
  name: logicalName,
  expr: text,
  /** DATE and TIMESTAMP columns compare with typed literals; epoch_ms with integer milliseconds. */
  data_type: z.enum(['date', 'timestamp', 'epoch_ms']),
  description: z.string().default(''),
  synonyms,
});

const measureSchema = z.strictObject({
  name: logicalName,
  expr: text,
  /** Wraps `expr`; omit when `expr` is already an aggregate. */
  default_aggregation: z.enum(['sum', 'avg', 'count', 'count_distinct', 'min', 'max']).optional(),
  description: z.string().default(''),
  synonyms,
});

const filterSchema = z.strictObject({ name: logicalName, expr: text, description: z.string().default(''), synonyms });

const tableSchema = z.strictObject({
  name: logicalName,
  /** Physical name: TABLE, SCHEMA.TABLE or DB.SCHEMA.TABLE. */
  base_table: text,
  description: z.string().default(''),
  synonyms,
  columns: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'column names must be simple identifiers'), text),
  primary_key: z.array(text).default([]),
  /** The column naming the tenant a row belongs to: callers without `admin` read only their tenant's rows. */
  tenant_column: text.optional(),
  /** Columns never returned to callers without `admin` (API keys, secrets). */
  restricted_columns: z.array(text).default([]),
  dimensions: z.array(dimensionSchema).default([]),
  time_dimensions: z.array(timeDimensionSchema).default([]),
  measures: z.array(measureSchema).default([]),
  filters: z.array(filterSchema).default([]),
});

const relationshipSchema = z.strictObject({
  name: logicalName,
  left_table: logicalName,
  right_table: logicalName,
  join_type: z.enum(['inner', 'left']).default('inner'),
  /** Column pairs: [left column, right column]. */
  on: z.array(z.tuple([text, text])).min(1),
});

const verifiedQuerySchema = z.strictObject({ name: logicalName, question: text, sql: text, explanation: z.string().default('') });

const modelSchema = z.strictObject({
  name: logicalName,
  description: z.string().default(''),
  tables: z.array(tableSchema).min(1, 'a semantic model needs at least one table'),
  relationships: z.array(relationshipSchema).default([]),
  verified_queries: z.array(verifiedQuerySchema).default([]),
});

/** A parsed, reference-checked semantic model (Cortex-Analyst-like YAML). */
export type SemanticModel = z.infer<typeof modelSchema>;
export type SemanticTable = SemanticModel['tables'][number];
export type SemanticDimension = z.infer<typeof dimensionSchema>;
export type SemanticTimeDimension = z.infer<typeof timeDimensionSchema>;
export type SemanticMeasure = z.infer<typeof measureSchema>;
export type SemanticFilter = z.infer<typeof filterSchema>;
export type SemanticRelationship = z.infer<typeof relationshipSchema>;

/** A semantic model that does not parse or whose references do not resolve; the message names the path. */
export class SemanticModelError extends Error {
  override readonly name = 'SemanticModelError';
}

function pathOf(path: ReadonlyArray<PropertyKey>): string {
  return `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;
}

/**
 * Parses a semantic model document (already YAML-decoded) and checks its references: unique names
 * across dimensions/time dimensions/measures/filters, relationship tables and columns, key columns.
 * Exists so a bad model fails at start with the exact path, never at question time.
 */
export function parseSemanticModel(doc: unknown, source = 'semantic model'): SemanticModel {
  const parsed = modelSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SemanticModelError(`${source}: ${pathOf(issue.path)}: ${issue.message}`);
  }
  const model = parsed.data;
  const fail = (path: string, message: string): never => {
    throw new SemanticModelError(`${source}: ${path}: ${message}`);
  };
  const tables = new Map<string, SemanticTable>();
  const members = new Set<string>();
  model.tables.forEach((t, ti) => {
    if (tables.has(t.name)) fail(`$.tables[${ti}].name`, `duplicate table ${t.name}`);
    tables.set(t.name, t);
    const cols = new Set(Object.keys(t.columns).map((c) => c.toUpperCase()));
    t.primary_key.forEach((k, i) => {
      if (!cols.has(k.toUpperCase())) fail(`$.tables[${ti}].primary_key[${i}]`, `unknown column ${k} in ${t.name}`);
    });
    if (t.tenant_column !== undefined && !cols.has(t.tenant_column.toUpperCase())) fail(`$.tables[${ti}].tenant_column`, `unknown column ${t.tenant_column} in ${t.name}`);
    t.restricted_columns.forEach((k, i) => {
      if (!cols.has(k.toUpperCase())) fail(`$.tables[${ti}].restricted_columns[${i}]`, `unknown column ${k} in ${t.name}`);
    });
    for (const kind of ['dimensions', 'time_dimensions', 'measures', 'filters'] as const) {
      t[kind].forEach((m, i) => {
        if (members.has(m.name)) fail(`$.tables[${ti}].${kind}[${i}].name`, `duplicate name ${m.name} (names are unique across the model)`);
        members.add(m.name);
      });
    }
  });
  model.relationships.forEach((r, ri) => {
    for (const side of ['left_table', 'right_table'] as const) {
      if (!tables.has(r[side])) fail(`$.relationships[${ri}].${side}`, `unknown table ${r[side]}`);
    }
    r.on.forEach(([l, rc], i) => {
      const lt = tables.get(r.left_table)!;
      const rt = tables.get(r.right_table)!;
      if (!Object.keys(lt.columns).some((c) => c.toUpperCase() === l.toUpperCase())) fail(`$.relationships[${ri}].on[${i}][0]`, `unknown column ${l} in ${lt.name}`);
      if (!Object.keys(rt.columns).some((c) => c.toUpperCase() === rc.toUpperCase())) fail(`$.relationships[${ri}].on[${i}][1]`, `unknown column ${rc} in ${rt.name}`);
    });
  });
  return model;
}

/** Reads and parses a YAML semantic model file. */
export function loadSemanticModelFile(path: string): SemanticModel {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SemanticModelError(`${path}: ${(err as Error).message}`);
  }
  return parseSemanticModel(doc, path);
}

/** The validator's catalog for a model: its physical tables and columns (descriptions carried over). */
export function semanticModelCatalog(model: SemanticModel): Catalog {
  return parseCatalog({
    tables: model.tables.map((t) => ({
      name: t.base_table,
      ...(t.description ? { description: t.description } : {}),
      ...(t.synonyms.length > 0 ? { synonyms: t.synonyms } : {}),
      columns: Object.entries(t.columns).map(([name, type]) => ({ name, type })),
    })),
  });
}
