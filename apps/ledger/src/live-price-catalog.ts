// The catalog with GPU $/hour read live from the Lambda Cloud API (SOPHIA_LAMBDA_API_KEY): fetched at
// start and every `refreshMs`; until the first success, and whenever a refresh fails, the last known
// prices (or the file's) stay in force. Serverless prices always come from the catalog file.
import { fetchLambdaInstancePrices, withGpuPrices, type PriceCatalog } from '@sophia/price-catalog';

/** The little of a logger this needs (pino fits). */
export interface LivePriceLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** Options for createLivePriceCatalog. */
export interface LivePriceCatalogOptions {
  /** The file catalog (reloadable); live GPU prices are laid over whatever it currently is. */
  readonly catalog: () => PriceCatalog;
  readonly apiKey: string;
  readonly baseUrl: string;
  readonly refreshMs: number;
  readonly logger?: LivePriceLogger;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** A live catalog: `current()` is the file catalog with the latest fetched GPU prices. */
export interface LivePriceCatalog {
  current(): PriceCatalog;
  /** Fetches now; true when new prices were installed. */
  refresh(): Promise<boolean>;
  close(): void;
}

/** Fetches once (a failure is logged, not thrown: the file's prices apply) and schedules refreshes. */
export async function createLivePriceCatalog(options: LivePriceCatalogOptions): Promise<LivePriceCatalog> {
  const clock = options.clock ?? (() => new Date());
  let prices: { map: Map<string, number>; suffix: string } | undefined;
  let cached: { base: PriceCatalog; prices: typeof prices; catalog: PriceCatalog } | undefined;

  const refresh = async (): Promise<boolean> => {
    try {
      const map = await fetchLambdaInstancePrices({ apiKey: options.apiKey, baseUrl: options.baseUrl });
      prices = { map, suffix: `lambda@${clock().toISOString()}` };
      options.logger?.info({ instanceTypes: map.size }, 'live GPU prices loaded from Lambda Cloud');
      return true;
    } catch (error) {
      options.logger?.warn({ err: (error as Error).message }, 'live GPU prices unavailable: keeping the last known GPU prices');
      return false;
    }
  };
  await refresh();
  const timer = setInterval(() => void refresh(), options.refreshMs);
  timer.unref();

  return {
    current() {
      const base = options.catalog();
      if (prices === undefined) return base;
      if (cached?.base !== base || cached.prices !== prices) cached = { base, prices, catalog: withGpuPrices(base, prices.map, prices.suffix) };
      return cached.catalog;
    },
    refresh,
    close: () => clearInterval(timer),
  };
}
