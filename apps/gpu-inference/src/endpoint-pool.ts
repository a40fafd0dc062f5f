import { Code, ConnectError } from '@connectrpc/connect';
import { apiUrl, listUpstreamModels, requestUpstreamText, serverRoot, silentUpstreamLogger, type UpstreamLogger } from '@sophia/openai-upstream';
import { maxMetric, parsePrometheusText, sumMetric } from './parse-prometheus-text.ts';

/** Options for {@link createEndpointPool}. */
export interface EndpointPoolOptions {
  /** vLLM server roots (`http://10.0.0.5:8000`; a trailing `/v1` is accepted). */
  urls: readonly string[];
  /** vLLM `--api-key` (guards `/v1/*` only). */
  apiKey?: string;
  /** Time between probe rounds. @default 5000 */
  healthIntervalMs?: number;
  /** Timeout of each probe request. @default 2000 */
  probeTimeoutMs?: number;
  logger?: UpstreamLogger;
}

/** What the pool knows about one endpoint. */
export interface EndpointSnapshot {
  /** The endpoint's base URL as configured (normalised, no trailing slash). */
  url: string;
  /** Last `/health` probe answered 2xx. False until the first probe. */
  healthy: boolean;
  /** A request failed on it since the last probe round: picked only when nothing else is left. */
  suspect: boolean;
  running: number;
  waiting: number;
  kvCacheUsage: number;
  /** Requests we started since the last `/metrics` scrape (not yet in `running`). */
  inFlightSinceScrape: number;
  /** Requests of ours in flight now. */
  inFlight: number;
  /** Model ids from `/v1/models`. */
  models: readonly string[];
  /** Last probe or request error; empty when healthy and not suspect. */
  lastError: string;
}

/** A request's hold on an endpoint; release exactly once. */
export interface EndpointLease {
  readonly url: string;
  /** `failure` set when the request failed in a way that blames the endpoint. */
  release(failure?: string): void;
}

/** A pool of vLLM endpoints with background health and load probing. */
export interface EndpointPool {
  /** Runs one probe round, then keeps probing every interval until `stop`. */
  start(): Promise<void>;
  /** One probe round of every endpoint now. */
  refresh(): Promise<void>;
  /** Stops probing and aborts probes in flight. Idempotent. */
  stop(): void;
  /** Least-loaded healthy endpoint serving `model`; throws Unavailable at once when none. */
  acquire(model: string): EndpointLease;
  snapshot(): EndpointSnapshot[];
  /** Adds an endpoint (a managed instance joining; probed at once). A known URL is left as is. */
  addEndpoint(url: string): Promise<void>;
  /** Stops handing out an endpoint; its leases run on (draining). Unknown URLs are ignored. */
  drainEndpoint(url: string): void;
  /** Forgets an endpoint (after its instance is gone). Unknown URLs are ignored. */
  removeEndpoint(url: string): void;
}

interface EndpointState extends EndpointSnapshot {
  /** Draining: not picked for new requests. */
  draining: boolean;
  /** Why the last /health probe failed (what Unavailable messages quote). */
  healthError: string;
  generation: number;
  probing: Promise<void> | undefined;
}

function messageOf(err: unknown): string {
  return err instanceof ConnectError ? err.rawMessage : err instanceof Error ? err.message : String(err);
}

function normalise(url: string): string {
  apiUrl(url, 'models'); // validates, naming the bad URL
  return serverRoot(url).href.replace(/\/$/, '');
}

/**
 * Keeps a live view of vLLM endpoints — `/health` for liveness, `/metrics` for load
 * (`vllm:num_requests_running` + `vllm:num_requests_waiting` + our own requests since the last
 * scrape), `/v1/models` for what each serves — and hands out the least-loaded healthy one,
 * round-robin among equals. A request failure marks an endpoint suspect: used only when no
 * trusted endpoint serves the model, until the next probe round finds it healthy. Timers are
 * unref'd and stopped by `stop`.
 */
export function createEndpointPool(options: EndpointPoolOptions): EndpointPool {
  const logger = options.logger ?? silentUpstreamLogger;
  const probeTimeoutMs = options.probeTimeoutMs ?? 2000;
  const fresh = (url: string): EndpointState => ({
    url,
    draining: false,
    healthy: false,
    suspect: false,
    running: 0,
    waiting: 0,
    kvCacheUsage: 0,
    inFlightSinceScrape: 0,
    inFlight: 0,
    models: [],
    lastError: 'not probed yet',
    healthError: 'not probed yet',
    generation: 0,
    probing: undefined,
  });
  const endpoints: EndpointState[] = [...new Set(options.urls.map(normalise))].map(fresh);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let controller = new AbortController();
  let roundRobin = 0;

  const probeOnce = async (ep: EndpointState): Promise<void> => {
    const signal = controller.signal;
    const common = { timeoutMs: probeTimeoutMs, connectTimeoutMs: probeTimeoutMs, signal };
    const [health, metrics, models] = await Promise.allSettled([
      requestUpstreamText({ url: new URL('health', `${ep.url}/`), ...common }),
      requestUpstreamText({ url: new URL('metrics', `${ep.url}/`), ...common }),
      listUpstreamModels({ baseUrl: `${ep.url}/v1`, ...common, ...(options.apiKey ? { apiKey: options.apiKey } : {}) }),
    ]);
    if (signal.aborted) return;
    const wasHealthy = ep.healthy;
    const problems: string[] = [];
    ep.healthError = health.status === 'rejected' ? messageOf(health.reason) : '';
    if (ep.healthError) problems.push(`health: ${ep.healthError}`);
    if (metrics.status === 'fulfilled') {
      try {
        const samples = parsePrometheusText(metrics.value);
        ep.running = sumMetric(samples, 'vllm:num_requests_running') ?? 0;
        ep.waiting = sumMetric(samples, 'vllm:num_requests_waiting') ?? 0;
        ep.kvCacheUsage = maxMetric(samples, 'vllm:kv_cache_usage_perc') ?? maxMetric(samples, 'vllm:gpu_cache_usage_perc') ?? 0;
        ep.generation += 1;
        ep.inFlightSinceScrape = 0;
      } catch (err) {
        problems.push(`metrics: ${messageOf(err)}`);
      }
    } else {
      problems.push(`metrics: ${messageOf(metrics.reason)}`);
    }
    if (models.status === 'fulfilled') ep.models = models.value;
    else problems.push(`models: ${messageOf(models.reason)}`);
    ep.healthy = health.status === 'fulfilled';
    if (ep.healthy) ep.suspect = false;
    ep.lastError = problems.join('; ');
    if (wasHealthy !== ep.healthy) {
      logger.warn({ endpoint: ep.url, healthy: ep.healthy, lastError: ep.lastError }, ep.healthy ? 'gpu endpoint healthy' : 'gpu endpoint unhealthy');
    }
  };

  // One probe per endpoint at a time; a caller arriving mid-probe shares it.
  const probe = (ep: EndpointState): Promise<void> => {
    ep.probing ??= probeOnce(ep).finally(() => {
      ep.probing = undefined;
    });
    return ep.probing;
  };

  const refresh = async (): Promise<void> => {
    await Promise.all(endpoints.map(probe));
  };

  const load = (ep: EndpointState): number => ep.running + ep.waiting + ep.inFlightSinceScrape;

  const unavailable = (model: string): ConnectError => {
    const detail = endpoints
      .map((ep) => {
        if (!ep.healthy) return `${ep.url} unhealthy (${ep.healthError})`;
        return `${ep.url} does not serve it`;
      })
      .join('; ');
    return new ConnectError(`no healthy GPU endpoint for model ${model} (${endpoints.length} endpoints${detail ? `: ${detail}` : ''})`, Code.Unavailable);
  };

  return {
    async start() {
      await refresh();
      if (stopped || timer !== undefined) return;
      timer = setInterval(() => void refresh(), options.healthIntervalMs ?? 5000);
      timer.unref();
    },
    refresh,
    stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      controller.abort(new Error('endpoint pool stopped'));
      controller = new AbortController();
    },
    acquire(model) {
      const serving = endpoints.filter((ep) => ep.healthy && !ep.draining && ep.models.includes(model));
      const trusted = serving.filter((ep) => !ep.suspect);
      const candidates = trusted.length > 0 ? trusted : serving;
      if (candidates.length === 0) throw unavailable(model);
      const least = Math.min(...candidates.map(load));
      const ties = candidates.filter((ep) => load(ep) === least);
      const ep = ties[roundRobin++ % ties.length]!;
      const generation = ep.generation;
      ep.inFlight += 1;
      ep.inFlightSinceScrape += 1;
      let released = false;
      return {
        url: ep.url,
        release(failure) {
          if (released) return;
          released = true;
          ep.inFlight -= 1;
          // Still unscraped: the next scrape would not see it any more.
          if (ep.generation === generation && ep.inFlightSinceScrape > 0) ep.inFlightSinceScrape -= 1;
          if (failure !== undefined) {
            ep.suspect = true;
            ep.lastError = `request failed: ${failure}`;
          }
        },
      };
    },
    snapshot() {
      return endpoints.map(({ generation: _g, probing: _p, healthError: _h, draining: _d, ...rest }) => ({ ...rest, models: [...rest.models] }));
    },
    async addEndpoint(url) {
      const key = normalise(url);
      if (endpoints.some((ep) => ep.url === key)) return;
      const ep = fresh(key);
      endpoints.push(ep);
      await probe(ep);
    },
    drainEndpoint(url) {
      const ep = endpoints.find((e) => e.url === normalise(url));
      if (ep) ep.draining = true;
    },
    removeEndpoint(url) {
      const i = endpoints.findIndex((e) => e.url === normalise(url));
      if (i >= 0) endpoints.splice(i, 1);
    },
  };
}
