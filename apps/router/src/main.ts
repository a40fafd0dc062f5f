import { RouterService } from '@sophia/contracts/router';
import { ClassifierService } from '@sophia/contracts/classifier';
import { InferenceService } from '@sophia/contracts/inference';
import { LedgerService } from '@sophia/contracts/ledger';
import { createCatalogWatcher, loadCatalog, type CatalogBackend, type PriceCatalog } from '@sophia/price-catalog';
import { createServiceClient, runService, serviceRegistration } from '@sophia/platform';
import type { Client } from '@connectrpc/connect';
import { routerConfigSchema } from './router-config.ts';
import { createRouterHandler } from './router-handler.ts';
import { createRouterMetrics } from './router-metrics.ts';
import { createTargetBreakers } from './target-breakers.ts';

await runService({
  name: 'router',
  configSchema: routerConfigSchema,
  portKey: 'SOPHIA_ROUTER_PORT',
  defaultPort: 50052,
  async start({ config, logger, metrics }) {
    let catalog: () => PriceCatalog;
    let closeCatalog = (): void => undefined;
    if (config.SOPHIA_CATALOG_PATH) {
      const watcher = createCatalogWatcher(config.SOPHIA_CATALOG_PATH, (c) => logger.info({ version: c.version }, 'catalog reloaded'), {
        onError: (err) => logger.error({ err: err.message }, 'catalog reload rejected: keeping the previous catalog'),
      });
      catalog = () => watcher.current();
      closeCatalog = () => watcher.close();
    } else {
      const bundled = loadCatalog();
      catalog = () => bundled;
    }
    const backends: Partial<Record<CatalogBackend, Client<typeof InferenceService>>> = {};
    if (config.SOPHIA_SERVERLESS_INFERENCE_ADDR) backends.serverless = createServiceClient(InferenceService, config.SOPHIA_SERVERLESS_INFERENCE_ADDR);
    if (config.SOPHIA_GPU_INFERENCE_ADDR) backends.gpu = createServiceClient(InferenceService, config.SOPHIA_GPU_INFERENCE_ADDR);
    if (Object.keys(backends).length === 0) logger.warn('no inference backend configured: every Generate will be UNAVAILABLE');
    const breakers = createTargetBreakers(
      {
        volumeThreshold: config.SOPHIA_BREAKER_VOLUME_THRESHOLD,
        errorThresholdPercentage: config.SOPHIA_BREAKER_ERROR_PERCENT,
        resetTimeoutMs: config.SOPHIA_BREAKER_RESET_MS,
        rollingWindowMs: config.SOPHIA_BREAKER_WINDOW_MS,
      },
      metrics.registry,
    );
    const handler = createRouterHandler({
      catalog,
      classifier: config.SOPHIA_CLASSIFIER_ADDR ? createServiceClient(ClassifierService, config.SOPHIA_CLASSIFIER_ADDR) : undefined,
      ledger: config.SOPHIA_LEDGER_ADDR ? createServiceClient(LedgerService, config.SOPHIA_LEDGER_ADDR) : undefined,
      backends,
      breakers,
      logger,
      metrics: createRouterMetrics(metrics.registry),
      classifierTimeoutMs: config.SOPHIA_CLASSIFIER_TIMEOUT_MS,
    });
    return {
      services: [serviceRegistration(RouterService, handler)],
      close: async () => {
        breakers.shutdown();
        closeCatalog();
      },
    };
  },
});
