// Turns an untrusted JSON value into a PriceCatalog: shape via zod, then the cross-references and
// the decimal-USD → integer micro-USD conversion, collecting every issue with its JSON path.
import { catalogFileSchema, type CatalogFile } from './catalog-schema.ts';
import { CatalogValidationError, type CatalogIssue } from './catalog-errors.ts';
import {
  CATALOG_TIERS,
  type CatalogModel,
  type CatalogTier,
  type GpuAlternate,
  type GpuInstance,
  type PriceCatalog,
  type ProviderOffer,
  type ServerlessOffer,
} from './price-catalog.ts';

/** `['models', 2, 'gpu']` → `models[2].gpu`, the form every error message uses. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * Decimal USD → integer micro-USD. Rejects sub-micro precision instead of rounding it away, so the
 * integer prices are exactly what the file says.
 */
function toMicroUsd(usd: number, path: string, issues: CatalogIssue[]): number {
  const scaled = usd * 1_000_000;
  const micro = Math.round(scaled);
  if (!Number.isSafeInteger(micro) || Math.abs(scaled - micro) > 1e-6) {
    issues.push({ path, message: `${usd} is not a whole number of micro-USD (at most 6 decimals)` });
  }
  return micro;
}

function buildModels(file: CatalogFile, instances: ReadonlyMap<string, GpuInstance>, issues: CatalogIssue[]): CatalogModel[] {
  const seen = new Map<string, number>();
  return file.models.map((m, i): CatalogModel => {
    const at = `models[${i}]`;
    const first = seen.get(m.id);
    if (first !== undefined) issues.push({ path: `${at}.id`, message: `duplicate model id '${m.id}' (also models[${first}])` });
    else seen.set(m.id, i);
    if (m.serverless === undefined && m.gpu === undefined && (m.offers ?? []).length === 0) {
      issues.push({ path: at, message: `model '${m.id}' has neither a serverless nor a gpu offer` });
    }
    if (m.maxOutputTokens > m.contextWindow) {
      issues.push({ path: `${at}.maxOutputTokens`, message: `exceeds contextWindow (${m.contextWindow})` });
    }
    const s = m.serverless;
    if (s?.provider !== undefined && file.providers[s.provider] === undefined) {
      issues.push({ path: `${at}.serverless.provider`, message: `unknown provider '${s.provider}' (not in providers)` });
    }
    const offers = buildOffers(file, m, at, issues);
    const serverless = buildReference(m, offers, at, issues);
    let gpu: CatalogModel['gpu'];
    if (m.gpu !== undefined) {
      const instance = instances.get(m.gpu.instanceType);
      if (instance === undefined) {
        issues.push({ path: `${at}.gpu.instanceType`, message: `unknown instance type '${m.gpu.instanceType}' (not in gpuInstances)` });
      } else {
        const alternates: GpuAlternate[] = [];
        (m.gpu.alternates ?? []).forEach((a, j) => {
          const alt = instances.get(a.instanceType);
          if (alt === undefined) issues.push({ path: `${at}.gpu.alternates[${j}].instanceType`, message: `unknown instance type '${a.instanceType}' (not in gpuInstances)` });
          else if (a.instanceType === m.gpu?.instanceType || alternates.some((x) => x.instance.name === a.instanceType)) issues.push({ path: `${at}.gpu.alternates[${j}].instanceType`, message: `instance type '${a.instanceType}' is listed twice for this model` });
          else alternates.push({ instance: alt, outputTokPerSec: a.outputTokPerSec, ...(a.assumption === undefined ? {} : { assumption: a.assumption }) });
        });
        gpu = { instance, outputTokPerSec: m.gpu.outputTokPerSec, servedModel: m.gpu.servedModel, alternates, features: new Set(m.gpu.features ?? []) };
      }
    }
    return {
      id: m.id,
      kind: m.kind ?? 'chat',
      tier: m.tier,
      autoRoute: (m.kind ?? 'chat') === 'chat' && m.autoRoute !== false,
      ...(m.dimensions === undefined ? {} : { dimensions: m.dimensions }),
      ownedBy: m.ownedBy,
      contextWindow: m.contextWindow,
      maxOutputTokens: m.maxOutputTokens,
      assumptions: m.assumptions ?? [],
      ...(serverless === undefined ? {} : { serverless }),
      offers,
      ...(gpu === undefined ? {} : { gpu }),
    };
  });
}

/** Equal-mix price of an offer (input + output per MTok), the order the derived reference takes. */
function equalMixPrice(o: ProviderOffer): number {
  return o.inputMicroUsdPerMTok + o.outputMicroUsdPerMTok;
}

/**
 * The model's reference rate card: explicit prices when the entry gives them (both, or neither), else
 * derived from its offers — the cheapest at an equal input/output mix, first listed on a tie. A model
 * with offers and no `serverless` entry gets the derived one; a model with neither has none.
 */
function buildReference(m: CatalogFile['models'][number], offers: readonly ProviderOffer[], at: string, issues: CatalogIssue[]): ServerlessOffer | undefined {
  const s = m.serverless ?? (offers.length > 0 ? {} : undefined);
  if (s === undefined) return undefined;
  const given = [s.inputUsdPerMTok, s.outputUsdPerMTok].filter((v) => v !== undefined).length;
  if (given === 1) {
    issues.push({ path: `${at}.serverless`, message: 'give both inputUsdPerMTok and outputUsdPerMTok, or neither (derived from offers)' });
    return undefined;
  }
  if (given === 2) {
    if (s.providerModel === undefined) issues.push({ path: `${at}.serverless.providerModel`, message: 'required with explicit prices' });
    const input = toMicroUsd(s.inputUsdPerMTok ?? 0, `${at}.serverless.inputUsdPerMTok`, issues);
    return {
      ...(s.provider === undefined ? {} : { provider: s.provider }),
      providerModel: s.providerModel ?? m.id,
      inputMicroUsdPerMTok: input,
      outputMicroUsdPerMTok: toMicroUsd(s.outputUsdPerMTok ?? 0, `${at}.serverless.outputUsdPerMTok`, issues),
      cachedInputMicroUsdPerMTok: input,
    };
  }
  const cheapest = offers.reduce<ProviderOffer | undefined>((best, o) => (best === undefined || equalMixPrice(o) < equalMixPrice(best) ? o : best), undefined);
  if (cheapest === undefined) {
    issues.push({ path: `${at}.serverless`, message: 'needs inputUsdPerMTok and outputUsdPerMTok: the model lists no offers to derive them from' });
    return undefined;
  }
  if (s.provider !== undefined) issues.push({ path: `${at}.serverless.provider`, message: 'derived from the offers (the cheapest one\'s); remove it or give explicit prices' });
  return {
    provider: cheapest.provider,
    providerModel: s.providerModel ?? cheapest.providerModel,
    inputMicroUsdPerMTok: cheapest.inputMicroUsdPerMTok,
    outputMicroUsdPerMTok: cheapest.outputMicroUsdPerMTok,
    cachedInputMicroUsdPerMTok: cheapest.cachedInputMicroUsdPerMTok,
  };
}

/** A model's provider offers: known providers, one offer per provider, limits within the model's, each price sourced or marked an assumption. */
function buildOffers(file: CatalogFile, m: CatalogFile['models'][number], at: string, issues: CatalogIssue[]): ProviderOffer[] {
  const seen = new Set<string>();
  return (m.offers ?? []).map((o, j): ProviderOffer => {
    const path = `${at}.offers[${j}]`;
    if (file.providers[o.provider] === undefined) issues.push({ path: `${path}.provider`, message: `unknown provider '${o.provider}' (not in providers)` });
    if (seen.has(o.provider)) issues.push({ path: `${path}.provider`, message: `duplicate offer from '${o.provider}' for model '${m.id}'` });
    seen.add(o.provider);
    if (o.assumption === undefined && (o.source === undefined || o.readOn === undefined)) {
      issues.push({ path, message: 'a price needs its source and readOn date, or an assumption saying why it is an estimate' });
    }
    const contextWindow = o.contextWindow ?? m.contextWindow;
    const maxOutputTokens = o.maxOutputTokens ?? Math.min(m.maxOutputTokens, contextWindow);
    if (maxOutputTokens > contextWindow) issues.push({ path: `${path}.maxOutputTokens`, message: `exceeds the offer's contextWindow (${contextWindow})` });
    const input = toMicroUsd(o.inputUsdPerMTok, `${path}.inputUsdPerMTok`, issues);
    // A cached token dearer than an uncached one would make worst-case reservations (all uncached) no bound.
    if (o.cachedInputUsdPerMTok !== undefined && o.cachedInputUsdPerMTok > o.inputUsdPerMTok) {
      issues.push({ path: `${path}.cachedInputUsdPerMTok`, message: `exceeds inputUsdPerMTok (${o.inputUsdPerMTok})` });
    }
    return Object.freeze({
      provider: o.provider,
      providerModel: o.providerModel,
      inputMicroUsdPerMTok: input,
      outputMicroUsdPerMTok: toMicroUsd(o.outputUsdPerMTok, `${path}.outputUsdPerMTok`, issues),
      cachedInputMicroUsdPerMTok: o.cachedInputUsdPerMTok === undefined ? input : toMicroUsd(o.cachedInputUsdPerMTok, `${path}.cachedInputUsdPerMTok`, issues),
      contextWindow,
      maxOutputTokens,
      features: new Set(o.features),
      ...(o.source === undefined ? {} : { source: o.source }),
      ...(o.readOn === undefined ? {} : { readOn: o.readOn }),
      ...(o.assumption === undefined ? {} : { assumption: o.assumption }),
    });
  });
}

function buildInstances(file: CatalogFile, issues: CatalogIssue[]): Map<string, GpuInstance> {
  const instances = new Map<string, GpuInstance>();
  file.gpuInstances.forEach((g, i) => {
    if (instances.has(g.name)) issues.push({ path: `gpuInstances[${i}].name`, message: `duplicate instance type '${g.name}'` });
    instances.set(g.name, {
      name: g.name,
      description: g.description,
      microUsdPerHour: toMicroUsd(g.usdPerHour, `gpuInstances[${i}].usdPerHour`, issues),
      ...(g.assumption === undefined ? {} : { assumption: g.assumption }),
    });
  });
  return instances;
}

function checkTiers(file: CatalogFile, byId: ReadonlyMap<string, CatalogModel>, issues: CatalogIssue[]): void {
  for (const tier of CATALOG_TIERS) {
    const ids = file.tiers[tier];
    ids.forEach((id, i) => {
      const model = byId.get(id);
      if (model === undefined) issues.push({ path: `tiers.${tier}[${i}]`, message: `unknown model '${id}'` });
      else if (model.tier !== tier) issues.push({ path: `tiers.${tier}[${i}]`, message: `model '${id}' has tier '${model.tier}'` });
      else if (!model.autoRoute) issues.push({ path: `tiers.${tier}[${i}]`, message: `model '${id}' is not routed automatically (${model.kind === 'chat' ? 'autoRoute: false' : `an ${model.kind} model`}); tiers list the others` });
      if (ids.indexOf(id) !== i) issues.push({ path: `tiers.${tier}[${i}]`, message: `duplicate model '${id}'` });
    });
  }
  for (const model of byId.values()) {
    if (model.autoRoute && !file.tiers[model.tier].includes(model.id)) {
      const i = file.models.findIndex((m) => m.id === model.id);
      issues.push({ path: `models[${i}].tier`, message: `model '${model.id}' is missing from tiers.${model.tier}` });
    }
  }
}

/**
 * Validates a catalog document and converts its prices to integer micro-USD.
 * @param origin where the document came from (a file path), quoted in the error message
 * @throws CatalogValidationError listing every issue with its JSON path
 */
export function parseCatalog(json: unknown, origin?: string): PriceCatalog {
  const parsed = catalogFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new CatalogValidationError(
      parsed.error.issues.map((i) => ({ path: formatJsonPath(i.path), message: i.message })),
      origin,
    );
  }
  const file = parsed.data;
  const issues: CatalogIssue[] = [];
  const instances = buildInstances(file, issues);
  const models = buildModels(file, instances, issues);
  const byId = new Map(models.map((m) => [m.id, m] as const));
  checkTiers(file, byId, issues);
  if (issues.length > 0) throw new CatalogValidationError(issues, origin);

  const tiers = {
    simple: Object.freeze([...file.tiers.simple]),
    balanced: Object.freeze([...file.tiers.balanced]),
    complex: Object.freeze([...file.tiers.complex]),
  };
  const byTier = new Map<CatalogTier, readonly CatalogModel[]>(
    CATALOG_TIERS.map((t) => [t, Object.freeze(tiers[t].map((id) => byId.get(id)).filter((m) => m !== undefined))]),
  );
  return Object.freeze({
    version: file.version,
    source: file.source,
    models: Object.freeze(models),
    gpuInstances: Object.freeze([...instances.values()]),
    tiers: Object.freeze(tiers),
    providers: Object.freeze({ ...file.providers }),
    findModel: (id: string) => byId.get(id),
    modelsForTier: (tier: CatalogTier) => byTier.get(tier) ?? [],
  });
}
