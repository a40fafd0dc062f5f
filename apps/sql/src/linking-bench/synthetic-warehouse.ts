import { readFileSync } from 'node:fs';
import { seededRandom, type CatalogColumn, type CatalogTable } from '@sophia/sql-core';

/** A table template of a domain; `family` makes it a date-sharded family (`NAME_YYYYMMDD` / `NAME_YYYYMM`). */
interface TableTemplate {
  readonly name: string;
  readonly description?: string;
  readonly family?: 'daily' | 'monthly';
  readonly start?: string;
  readonly count?: number;
  readonly columns: CatalogColumn[];
  readonly fks?: [string, string, string][];
}

/** A question template: `{day}`, `{range}` (three days) or `{month}` pick shards of the family it names. */
type QuestionTemplate = [text: string, tables: string, dates: 'day' | 'range3' | 'month' | null];

/** One business domain: its database/schema, tables and the questions an analyst asks of it. */
interface Domain {
  readonly domain: string;
  readonly database: string;
  readonly schema: string;
  readonly tables: TableTemplate[];
  readonly questions: QuestionTemplate[];
}

/** A linking question with the catalog tables its answer reads. */
export interface LinkQuestion {
  readonly question: string;
  readonly gold: readonly string[];
  readonly domain: string;
}

/** A generated warehouse: the catalog and questions over it. */
export interface SyntheticWarehouse {
  readonly tables: CatalogTable[];
  readonly questions: LinkQuestion[];
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const pad = (n: number): string => String(n).padStart(2, '0');
const ymd = (d: Date): string => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
const addDays = (d: Date, n: number): Date => new Date(d.getTime() + n * 86_400_000);
const addMonths = (d: Date, n: number): Date => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));

/** The ways analysts write a day, chosen at random per question. */
function writeDay(d: Date, pick: number): string {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  switch (pick % 4) {
    case 0: return `${y}-${pad(m + 1)}-${pad(day)}`;
    case 1: return `${MONTH_NAMES[m]} ${day}, ${y}`;
    case 2: return `${day} ${MONTH_NAMES[m]!.slice(0, 3)} ${y}`;
    default: return `${MONTH_NAMES[m]} ${day} ${y}`;
  }
}

// Source systems, entities and layers of the filler tables: the raw, staging and snapshot tables a
// real account carries besides the modelled ones, sharing their vocabulary (the hard part of linking).
const SOURCES = ['SALESFORCE', 'HUBSPOT', 'ZENDESK', 'STRIPE', 'SHOPIFY', 'NETSUITE', 'JIRA', 'GITHUB', 'MARKETO', 'INTERCOM', 'SEGMENT', 'GOOGLE_ADS', 'FACEBOOK_ADS', 'WORKDAY', 'GREENHOUSE', 'QUICKBOOKS', 'MIXPANEL', 'AMPLITUDE', 'SNOWPLOW', 'POSTGRES_APP', 'MYSQL_LEGACY', 'DYNAMODB', 'MAILCHIMP', 'TWILIO', 'OKTA', 'SERVICENOW', 'ASANA', 'LINKEDIN_ADS', 'BRAZE', 'ITERABLE'];
const ENTITIES = ['ACCOUNT', 'CONTACT', 'LEAD', 'OPPORTUNITY', 'CAMPAIGN', 'TICKET', 'INVOICE', 'PAYMENT', 'SUBSCRIPTION', 'USER', 'EVENT', 'ORDER', 'PRODUCT', 'CUSTOMER', 'EMPLOYEE', 'ISSUE', 'COMMIT', 'PULL_REQUEST', 'DEAL', 'EMAIL_SEND', 'PAGE', 'TRACK', 'IDENTIFY', 'CHARGE', 'REFUND', 'BALANCE_TRANSACTION', 'BILL', 'JOURNAL', 'SHIPMENT', 'TASK', 'PROJECT', 'CANDIDATE', 'APPLICATION', 'INTERVIEW', 'AD_GROUP', 'KEYWORD', 'MESSAGE', 'CONVERSATION', 'SESSION', 'DEVICE', 'ORGANIZATION', 'TEAM', 'ROLE', 'PLAN', 'COUPON', 'DISPUTE', 'PAYOUT', 'LINE_ITEM', 'NOTE', 'ATTACHMENT'];
const LAYERS = ['RAW', 'STAGING', 'INTERMEDIATE', 'SNAPSHOTS', 'ARCHIVE'];
const GENERIC_COLUMNS: [string, string][] = [['NAME', 'VARCHAR'], ['STATUS', 'VARCHAR'], ['TYPE', 'VARCHAR'], ['AMOUNT', 'NUMBER(18,2)'], ['CURRENCY', 'VARCHAR'], ['OWNER_ID', 'NUMBER'], ['EMAIL', 'VARCHAR'], ['COUNTRY', 'VARCHAR'], ['DESCRIPTION', 'VARCHAR'], ['IS_DELETED', 'BOOLEAN'], ['UPDATED_AT', 'TIMESTAMP_NTZ'], ['_FIVETRAN_SYNCED', 'TIMESTAMP_TZ'], ['SOURCE', 'VARCHAR'], ['PRIORITY', 'VARCHAR'], ['CLOSED_AT', 'TIMESTAMP_NTZ'], ['TITLE', 'VARCHAR'], ['URL', 'VARCHAR'], ['QUANTITY', 'NUMBER'], ['REGION', 'VARCHAR'], ['SCORE', 'FLOAT']];
const RAW_FIELDS = ['id', 'created', 'updated', 'metadata.source', 'metadata.version', 'attributes.name', 'attributes.status', 'properties.value'];

/** Reads the domain templates (apps/sql/corpus/linking/domains.json). */
export function loadDomains(path: string): Domain[] {
  return JSON.parse(readFileSync(path, 'utf8')) as Domain[];
}

/**
 * Builds a realistic warehouse of about `size` tables: the modelled domains (with date-sharded
 * families scaled to the size), then filler — raw/staging/snapshot tables of common SaaS sources,
 * some with VARIANT payloads, some with unknown columns, some sharded — sharing the domains'
 * vocabulary. Questions come from the domains' templates with dates inside the families' ranges.
 */
export function buildSyntheticWarehouse(domains: readonly Domain[], size: number, seed = 7): SyntheticWarehouse {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const familyShare = Math.min(1, size / 3000);
  const tables: CatalogTable[] = [];
  const familyDates = new Map<string, Date[]>();
  for (const d of domains) {
    const full = (n: string): string => `${d.database}.${d.schema}.${n}`;
    for (const t of d.tables) {
      const fks = (t.fks ?? []).map(([c, table, rc]) => ({ columns: [c], references: { table: full(table), columns: [rc] } }));
      const base = { ...(t.description ? { description: t.description } : {}), columns: t.columns, ...(fks.length ? { foreignKeys: fks } : {}) };
      if (!t.family) {
        tables.push({ name: full(t.name), ...base });
        continue;
      }
      const n = Math.max(7, Math.round((t.count ?? 30) * familyShare));
      const start = new Date(`${t.start}T00:00:00Z`);
      const dates = Array.from({ length: n }, (_, i) => (t.family === 'daily' ? addDays(start, i) : addMonths(start, i)));
      familyDates.set(`${d.domain}.${t.name}`, dates);
      for (const dt of dates) tables.push({ name: full(`${t.name}_${t.family === 'daily' ? ymd(dt) : ymd(dt).slice(0, 6)}`), ...base });
    }
  }
  // Filler up to the size.
  const seen = new Set(tables.map((t) => t.name));
  let guard = 0;
  while (tables.length < size && guard++ < size * 20) {
    const source = pick(SOURCES);
    const entity = pick(ENTITIES);
    const layer = pick(LAYERS);
    const db = layer === 'RAW' ? 'RAW' : 'ANALYTICS';
    const schema = layer === 'RAW' ? source : `${layer}_${source}`;
    const prefix = layer === 'STAGING' ? 'STG_' : layer === 'INTERMEDIATE' ? 'INT_' : '';
    const suffix = layer === 'SNAPSHOTS' ? '_SNAPSHOT' : layer === 'ARCHIVE' ? `_${pick(['OLD', 'BACKUP', 'V1', 'DEPRECATED'])}` : '';
    const name = `${db}.${schema}.${prefix}${entity}${suffix}`;
    const cols: CatalogColumn[] = [{ name: 'ID', type: 'VARCHAR' }, { name: `${entity}_ID`, type: 'NUMBER' }, { name: 'CREATED_AT', type: 'TIMESTAMP_NTZ' }];
    const extra = 2 + Math.floor(rand() * 7);
    for (let i = 0; i < extra; i++) {
      const [c, ty] = pick(GENERIC_COLUMNS);
      if (!cols.some((x) => x.name === c)) cols.push({ name: c, type: ty });
    }
    if (layer === 'RAW' && rand() < 0.5) cols.push({ name: '_RAW', type: 'VARIANT', fields: RAW_FIELDS.filter(() => rand() < 0.6) });
    const unknown = rand() < 0.04;
    // A few raw sources are exported as monthly shards.
    if (layer === 'RAW' && rand() < 0.03) {
      const start = new Date(Date.UTC(2019 + Math.floor(rand() * 4), 0, 1));
      const n = 12 + Math.floor(rand() * 36);
      for (let i = 0; i < n && tables.length < size; i++) {
        const sharded = `${name}_${ymd(addMonths(start, i)).slice(0, 6)}`;
        if (seen.has(sharded)) continue;
        seen.add(sharded);
        tables.push({ name: sharded, columns: cols });
      }
      continue;
    }
    if (seen.has(name)) continue;
    seen.add(name);
    tables.push(unknown ? { name, columns: [], columnsUnknown: true } : { name, columns: cols });
  }
  // Questions: every template, with a few date draws for the dated ones.
  const questions: LinkQuestion[] = [];
  for (const d of domains) {
    const full = (n: string): string => `${d.database}.${d.schema}.${n}`;
    for (const [text, names, dates] of d.questions) {
      const draws = dates === null ? 1 : 3;
      for (let k = 0; k < draws; k++) {
        const gold: string[] = [];
        let q = text;
        for (const n of names.split(' ')) {
          const t = d.tables.find((x) => x.name === n)!;
          if (!t.family) {
            gold.push(full(n));
            continue;
          }
          const ds = familyDates.get(`${d.domain}.${n}`)!;
          if (dates === 'range3') {
            const i = Math.floor(rand() * (ds.length - 2));
            q = q.replace('{range}', `${writeDay(ds[i]!, k)} and ${writeDay(ds[i + 2]!, k)}`);
            for (let j = 0; j < 3; j++) gold.push(full(`${n}_${ymd(ds[i + j]!)}`));
          } else if (dates === 'month') {
            const dt = pick(ds);
            q = q.replace('{month}', `${MONTH_NAMES[dt.getUTCMonth()]} ${dt.getUTCFullYear()}`);
            gold.push(full(`${n}_${ymd(dt).slice(0, 6)}`));
          } else {
            const dt = pick(ds);
            q = q.replace('{day}', writeDay(dt, k + Math.floor(rand() * 4)));
            gold.push(full(`${n}_${ymd(dt)}`));
          }
        }
        questions.push({ question: q, gold, domain: d.domain });
      }
    }
  }
  return { tables, questions };
}
