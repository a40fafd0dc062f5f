/**
 * `npm run measure -w @sophia/sql -- [DATA_DIR] [OUT_DIR]`: validator acceptance of Spider dev and defog
 * Snowflake gold SQL (every rejection listed), a renamed-column sensitivity check, DuckDB execution of
 * Spider gold and its validated rewrite, and table recall@5 of schema linking. Prints a table and saves
 * OUT_DIR/sql-measure.json.
 */
import { evalDataDir, invocationDir } from '@sophia/eval-data';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCatalogIndex, linkSchema, tokenizeSql, TokenKind, validateSql, type Catalog } from '@sophia/sql-core';
import { deriveDefogCatalogs, loadDefogItems } from './defog-gold.ts';
import { loadSpiderCatalogs } from './spider-catalog.ts';
import { measureSpiderExecution } from './spider-execution.ts';
import { measureLinkingAt, type LinkingFigures } from './linking-bench/measure-linking.ts';
import { loadSnowflakeCorpus, measureAdversarial, measureCorpusSet } from './snowflake-corpus.ts';
import { sqliteToSnowflakeLiterals } from './sqlite-literals.ts';

/** A rejected gold statement with the validator's reasons (the report lists every one). */
interface Rejection {
  readonly id: string;
  readonly sql: string;
  readonly errors: string[];
}

/** Row cap for the execution check: small enough that some gold results get capped. */
const EXEC_MAX_ROWS = 100;

interface SpiderDevItem {
  db_id: string;
  query: string;
  question: string;
}

function acceptance(items: { id: string; sql: string; catalog: Catalog }[]): { total: number; accepted: number; rejections: Rejection[] } {
  const rejections: Rejection[] = [];
  const indexes = new Map<Catalog, ReturnType<typeof createCatalogIndex>>();
  for (const it of items) {
    let index = indexes.get(it.catalog);
    if (!index) {
      index = createCatalogIndex(it.catalog);
      indexes.set(it.catalog, index);
    }
    const r = validateSql(it.sql, index);
    if (!r.ok) rejections.push({ id: it.id, sql: it.sql, errors: r.errors });
  }
  return { total: items.length, accepted: items.length - rejections.length, rejections };
}

/**
 * Sensitivity check: the gold query with its first catalog column reference renamed (`name` → `name_zz`)
 * must be rejected; a validator that accepts everything would score 0 here.
 */
function mutateFirstColumn(sql: string, catalog: Catalog): string | null {
  const cols = new Set(catalog.tables.flatMap((t) => t.columns.map((c) => c.name.toUpperCase())));
  const tables = new Set(catalog.tables.map((t) => t.name.toUpperCase()));
  const tokens = tokenizeSql(sql);
  const i = tokens.findIndex((t) => t.kind === TokenKind.Word && cols.has(t.text.toUpperCase()) && !tables.has(t.text.toUpperCase()));
  if (i < 0) return null;
  return tokens.map((t, j) => (j === i ? `${t.text}_zz` : t.text)).join('');
}

/** Lower-cased table names a gold query reads, according to the validator's own resolution. */
function goldTables(sql: string, catalog: Catalog): string[] {
  return validateSql(sql, catalog).tables.map((t) => t.toLowerCase());
}


async function main(argv: string[]): Promise<void> {
  // Defaults: eval-data/ (`npm run data`) or ../shared/data beside the checkout, and apps/sql/reports (gitignored).
  // Relative paths are taken from where `npm run` was typed (INIT_CWD), not from apps/sql.
  const dataDir = evalDataDir(fileURLToPath(new URL('../../..', import.meta.url)), argv[0]);
  const outDir = argv[1] !== undefined ? resolve(invocationDir(), argv[1]) : fileURLToPath(new URL('../reports', import.meta.url));
  const missing = ['spider/tables.json', 'spider/dev.json', 'defog/questions_gen_snowflake.csv'].filter((f) => !existsSync(join(dataDir, f)));
  if (missing.length > 0) {
    console.error(`measure: the evaluation data folder ${dataDir} lacks ${missing.join(', ')}: fetch it with \`npm run data\` (Spider: see its note there), or pass the folder: npm run measure -w @sophia/sql -- /path/to/data`);
    process.exitCode = 2;
    return;
  }
  const spiderCatalogs = loadSpiderCatalogs(join(dataDir, 'spider/tables.json'));
  const dev = JSON.parse(readFileSync(join(dataDir, 'spider/dev.json'), 'utf8')) as SpiderDevItem[];

  const spiderRaw = acceptance(dev.map((d, i) => ({ id: `spider-dev-${i}`, sql: d.query, catalog: spiderCatalogs.get(d.db_id)! })));
  const spiderAdapted = acceptance(
    dev.map((d, i) => {
      const catalog = spiderCatalogs.get(d.db_id)!;
      return { id: `spider-dev-${i}`, sql: sqliteToSnowflakeLiterals(d.query, catalog), catalog };
    }),
  );

  let mutated = 0;
  let mutatedRejected = 0;
  const mutatedAccepted: string[] = [];
  dev.forEach((d, i) => {
    const catalog = spiderCatalogs.get(d.db_id)!;
    const m = mutateFirstColumn(sqliteToSnowflakeLiterals(d.query, catalog), catalog);
    if (m === null) return;
    mutated++;
    if (!validateSql(m, catalog).ok) mutatedRejected++;
    else mutatedAccepted.push(`spider-dev-${i}: ${m}`);
  });

  const defogItems = loadDefogItems(join(dataDir, 'defog/questions_gen_snowflake.csv'));
  const defogCatalogs = deriveDefogCatalogs(defogItems);
  const defog = acceptance(
    defogItems.flatMap((d, i) => d.gold.map((sql, j) => ({ id: `defog-${i}${d.gold.length > 1 ? `.${j}` : ''}`, sql, catalog: defogCatalogs.get(d.db)! }))),
  );

  // Linking: table recall@5 on Spider dev, gold tables from the gold SQL.
  let recallSum = 0;
  let recallN = 0;
  let perfect = 0;
  let recall3Sum = 0;
  let bigN = 0;
  let bigSum = 0;
  let baselineSum = 0;
  const misses: { id: string; question: string; gold: string[]; top: string[] }[] = [];
  dev.forEach((d, i) => {
    const catalog = spiderCatalogs.get(d.db_id)!;
    const gold = goldTables(sqliteToSnowflakeLiterals(d.query, catalog), catalog);
    if (gold.length === 0) return;
    const ranked = linkSchema(catalog, d.question, { top: catalog.tables.length }).tables.map((t) => t.name.toLowerCase());
    const top = ranked.slice(0, 5);
    const hit = gold.filter((g) => top.includes(g)).length;
    recallSum += hit / gold.length;
    recallN++;
    const hit3 = gold.filter((g) => ranked.slice(0, 3).includes(g)).length;
    recall3Sum += hit3 / gold.length;
    if (catalog.tables.length > 5) {
      bigN++;
      bigSum += hit / gold.length;
    }
    // Baseline: catalog order (what an unranked prompt would include first).
    const first5 = catalog.tables.slice(0, 5).map((t) => t.name.toLowerCase());
    baselineSum += gold.filter((g) => first5.includes(g)).length / gold.length;
    if (hit === gold.length) perfect++;
    else misses.push({ id: `spider-dev-${i}`, question: d.question, gold, top });
  });
  const recall = recallN > 0 ? recallSum / recallN : 0;

  // Linking on defog (derived catalogs: 3–11 tables, names only).
  let defogN = 0;
  let defogSum = 0;
  for (const d of defogItems) {
    const catalog = defogCatalogs.get(d.db)!;
    const gold = [...new Set(d.gold.flatMap((q) => goldTables(q, catalog)))];
    if (gold.length === 0) continue;
    const top = linkSchema(catalog, d.question, { top: 5 }).tables.map((t) => t.name.toLowerCase());
    defogSum += gold.filter((g) => top.includes(g)).length / gold.length;
    defogN++;
  }

  // Stretch: execute gold and validated rewrites on the Spider databases in DuckDB.
  // Schema-qualified catalogs make the validator pin each table to `<db>.<table>`; the rewrite is then
  // executed from an unrelated current schema, which checks the qualification as well as the LIMIT.
  const qualifiedCatalogs = loadSpiderCatalogs(join(dataDir, 'spider/tables.json'), { schemaQualified: true });
  const execCases = dev.flatMap((d, i) => {
    const catalog = qualifiedCatalogs.get(d.db_id)!;
    const gold = sqliteToSnowflakeLiterals(d.query, catalog);
    const r = validateSql(gold, catalog, { maxRows: EXEC_MAX_ROWS });
    return r.ok && r.sql ? [{ id: `spider-dev-${i}`, db: d.db_id, gold, rewritten: r.sql }] : [];
  });
  // The databases as SQL are in no package registry (`npm run data` says where to get them): without
  // them the execution figures are skipped, and the table says so, rather than failing the run.
  const dbDir = join(dataDir, 'spider/db');
  const exec = existsSync(dbDir) ? await measureSpiderExecution(dbDir, execCases, EXEC_MAX_ROWS) : undefined;

  // The Snowflake corpus (committed with the app), the adversarial corpus, and linking on generated
  // warehouses of hundreds to ten thousand tables.
  const corpusDir = fileURLToPath(new URL('../corpus/snowflake', import.meta.url));
  const corpus = loadSnowflakeCorpus(corpusDir);
  const sfDev = measureCorpusSet('queries', corpus.sets.get('queries')!, corpus.catalogs);
  const sfHoldout = measureCorpusSet('holdout', corpus.sets.get('holdout')!, corpus.catalogs);
  const adversarial = measureAdversarial(fileURLToPath(new URL('../../../libs/sql-core/src/fixtures', import.meta.url)));
  const domains = fileURLToPath(new URL('../corpus/linking/domains.json', import.meta.url));
  const linking: LinkingFigures[] = [300, 1000, 3000, 10000].map((size) => measureLinkingAt(domains, size));

  const execFailures = exec?.failures ?? [];
  const ties = execFailures.filter((f) => f.stage === 'nondeterministic').length;
  const pct = (a: number, b: number): string => `${((100 * a) / Math.max(b, 1)).toFixed(2)} %`;
  const rows = [
    ['Snowflake corpus (development) accepted', `${sfDev.accepted}/${sfDev.total}`, pct(sfDev.accepted, sfDev.total)],
    ['Snowflake corpus (holdout) accepted', `${sfHoldout.accepted}/${sfHoldout.total}`, pct(sfHoldout.accepted, sfHoldout.total)],
    ['Snowflake corpus, one column renamed: rejected', `${sfDev.mutantsRejected + sfHoldout.mutantsRejected}/${sfDev.mutants + sfHoldout.mutants}`, pct(sfDev.mutantsRejected + sfHoldout.mutantsRejected, sfDev.mutants + sfHoldout.mutants)],
    ['adversarial corpus rejected', `${adversarial.rejected}/${adversarial.total}`, pct(adversarial.rejected, adversarial.total)],
    ...linking.flatMap((l) => [
      [`generated ${l.tables} tables (${l.families} families): recall@5`, `${l.questions} questions`, `${l.recallAt5.toFixed(4)} (units ${l.unitRecallAt5.toFixed(4)})`],
      [`  load / validator index / link index / link median, p95`, 'ms', `${l.loadMs.toFixed(0)} / ${l.validatorIndexMs.toFixed(0)} / ${l.linkIndexMs.toFixed(0)} / ${l.linkMedianMs.toFixed(2)}, ${l.linkP95Ms.toFixed(2)}`],
    ]),
    ['Spider dev gold, raw SQLite text', `${spiderRaw.accepted}/${spiderRaw.total}`, pct(spiderRaw.accepted, spiderRaw.total)],
    ['Spider dev gold, "..." literals → \'...\'', `${spiderAdapted.accepted}/${spiderAdapted.total}`, pct(spiderAdapted.accepted, spiderAdapted.total)],
    ['defog Snowflake gold (derived catalogs)', `${defog.accepted}/${defog.total}`, pct(defog.accepted, defog.total)],
    ['Spider dev gold with one column renamed: rejected', `${mutatedRejected}/${mutated}`, pct(mutatedRejected, mutated)],
    ...(exec
      ? [
          [`DuckDB: gold executes (${exec.databases} dbs)`, `${exec.goldExecuted}/${exec.cases}`, pct(exec.goldExecuted, exec.cases)],
          [`DuckDB: rewrite (LIMIT ${EXEC_MAX_ROWS}, tables pinned) executes`, `${exec.rewrittenExecuted}/${exec.goldExecuted}`, pct(exec.rewrittenExecuted, exec.goldExecuted)],
          [`DuckDB: rewrite returns the gold rows (${ties} via LIMIT ties)`, `${exec.sameResult + ties}/${exec.rewrittenExecuted}`, pct(exec.sameResult + ties, exec.rewrittenExecuted)],
        ]
      : [['DuckDB execution of Spider gold', 'skipped', `${dbDir} not present (see \`npm run data\`)`]]),
    ['Spider dev table recall@5 (mean)', `${recallN} questions`, recall.toFixed(4)],
    ['Spider dev all gold tables in top 5', `${perfect}/${recallN}`, pct(perfect, recallN)],
    ['Spider dev table recall@3 (mean)', `${recallN} questions`, (recall3Sum / Math.max(recallN, 1)).toFixed(4)],
    ['recall@5 on databases with > 5 tables', `${bigN} questions`, (bigSum / Math.max(bigN, 1)).toFixed(4)],
    ['defog table recall@5 (derived catalogs)', `${defogN} questions`, (defogSum / Math.max(defogN, 1)).toFixed(4)],
    ['baseline recall@5: first 5 tables in catalog order', `${recallN} questions`, (baselineSum / Math.max(recallN, 1)).toFixed(4)],
  ];
  const w0 = Math.max(...rows.map((r) => r[0]!.length));
  const w1 = Math.max(...rows.map((r) => r[1]!.length));
  console.log(`${'measure'.padEnd(w0)}  ${'count'.padEnd(w1)}  value`);
  for (const r of rows) console.log(`${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]}`);
  const show = (title: string, rej: Rejection[]): void => {
    console.log(`\n${title}: ${rej.length} rejection(s)`);
    for (const r of rej) console.log(`- ${r.id}: ${r.errors.join(' | ')}\n    ${r.sql.replace(/\s+/g, ' ')}`);
  };
  const groups = new Map<string, number>();
  for (const r of spiderRaw.rejections) {
    const first = r.errors[0] ?? '';
    const dq = /"[^"]*"/.test(r.sql) && first.startsWith('unknown column "');
    const key = dq ? 'double-quoted SQLite string literal read as a Snowflake identifier' : first.split(/\s+/).slice(0, 2).join(' ');
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  console.log('\nSpider dev raw rejections by cause:');
  for (const [k, n] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${k}`);
  show('Spider dev (adapted literals)', spiderAdapted.rejections);
  console.log(`\nrenamed-column mutants accepted: ${mutatedAccepted.length}`);
  for (const m of mutatedAccepted) console.log(`- ${m}`);
  show('defog Snowflake', defog.rejections);
  show('Snowflake corpus (development)', sfDev.rejections.map((r) => ({ ...r, id: `${r.id} (${r.note})` })));
  show('Snowflake corpus (holdout)', sfHoldout.rejections.map((r) => ({ ...r, id: `${r.id} (${r.note})` })));
  console.log(`\nadversarial statements accepted: ${adversarial.accepted.length}`);
  for (const a of adversarial.accepted) console.log(`- ${a}`);
  for (const l of linking) {
    console.log(`\nlinking misses on ${l.tables} tables: ${l.misses.length}`);
    for (const m of l.misses.slice(0, 10)) console.log(`- ${m.question} | gold ${m.gold.join(',')} | top ${m.top.join(',')}`);
  }
  const execCauses = new Map<string, number>();
  for (const f of execFailures) {
    const key = `[${f.stage}] ${f.error.replace(/"[^"]*"|'[^']*'/g, '…').split(/\s+/).slice(0, 9).join(' ')}`;
    execCauses.set(key, (execCauses.get(key) ?? 0) + 1);
  }
  console.log('\nDuckDB execution failures by cause:');
  for (const [k, n] of [...execCauses].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${k}`);
  console.log(`\nDuckDB execution failures: ${execFailures.length}`);
  for (const f of execFailures) console.log(`- ${f.id} [${f.stage}]: ${f.error}`);
  console.log(`\nlinking misses (recall@5 < 1): ${misses.length}`);
  for (const m of misses.slice(0, 40)) console.log(`- ${m.id}: gold ${m.gold.join(',')} | top ${m.top.join(',')} | ${m.question}`);

  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'sql-measure.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        dataDir,
        spiderRaw: { total: spiderRaw.total, accepted: spiderRaw.accepted, causes: Object.fromEntries(groups), rejections: spiderRaw.rejections },
        spiderAdapted: { total: spiderAdapted.total, accepted: spiderAdapted.accepted, rejections: spiderAdapted.rejections },
        defog: { total: defog.total, accepted: defog.accepted, rejections: defog.rejections },
        execution: exec ?? { skipped: `${dbDir} not present` },
        snowflakeCorpus: { development: sfDev, holdout: sfHoldout },
        adversarial,
        generatedLinking: linking,
        mutants: { total: mutated, rejected: mutatedRejected, accepted: mutatedAccepted },
        linking: {
          questions: recallN,
          recallAt5: recall,
          allGoldInTop5: perfect,
          recallAt3: recall3Sum / Math.max(recallN, 1),
          bigDatabases: { questions: bigN, recallAt5: bigSum / Math.max(bigN, 1) },
          defog: { questions: defogN, recallAt5: defogSum / Math.max(defogN, 1) },
          baselineCatalogOrderRecallAt5: baselineSum / Math.max(recallN, 1),
          misses,
        },
      },
      null,
      2,
    ),
  );
  console.log(`\nsaved ${file}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
