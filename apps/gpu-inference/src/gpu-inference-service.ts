import { FleetService } from '@sophia/contracts/fleet';
import { InferenceService } from '@sophia/contracts/inference';
import { LedgerService } from '@sophia/contracts/ledger';
import { closeUpstreamDispatchers } from '@sophia/openai-upstream';
import { defineHostedService, serviceRegistration } from '@sophia/platform';
import { loadCatalog } from '@sophia/price-catalog';
import { dataDirOptions, openDataDir, stateStoreConfigShape } from '@sophia/state-store';
import { z } from 'zod';
import { createTtftLimits } from '@sophia/ttft-limits';
import { createEndpointGates } from './endpoint-gates.ts';
import { createEndpointPool } from './endpoint-pool.ts';
import { fleetConfigShape } from './fleet/runtime/fleet-config.ts';
import { createFleetOffHandler } from './fleet/runtime/fleet-off-handler.ts';
import { createFleetServiceHandler } from './fleet/runtime/fleet-service-handler.ts';
import { startFleet } from './fleet/runtime/start-fleet.ts';
import { withFleetSignals } from './fleet/runtime/with-fleet-signals.ts';
import { createSqliteFleetStore, FLEET_STORE_SCHEMA } from './fleet/store/sqlite-fleet-store.ts';
import { registerPoolGauges } from './pool-gauges.ts';
import { gpuConfigSchema, gpuOptionsFromConfig } from './gpu-config.ts';
import { createGpuInferenceHandler } from './gpu-inference-handler.ts';

/** GPU inference for a host: InferenceService over a load-aware pool of vLLM endpoints, and FleetService for the Lambda Cloud fleet when configured. */
export const gpuInferenceService = defineHostedService(gpuConfigSchema.extend({ SOPHIA_CATALOG_PATH: z.string().min(1).optional(), ...fleetConfigShape, ...stateStoreConfigShape }), async ({ config, logger, metrics, connect }) => {
  const options = gpuOptionsFromConfig(config);
  const fleetConfigured = config.SOPHIA_LAMBDA_API_KEY !== undefined || config.SOPHIA_LAMBDA_API_KEY_FILE !== undefined;
  if (options.pool.urls.length === 0 && !fleetConfigured) logger.warn('SOPHIA_GPU_BASE_URLS is empty and no GPU fleet is configured: every Generate will be UNAVAILABLE');
  const pool = createEndpointPool({ ...options.pool, logger });
  await pool.start(); // first probe round before serving, so the first request sees the pool
  const healthy = pool.snapshot().filter((ep) => ep.healthy).length;
  logger.info({ endpoints: options.pool.urls, healthy }, 'gpu pool started');
  // Catalog ids become vLLM served-model names from the catalog; SOPHIA_GPU_MODEL_MAP wins.
  const catalog = loadCatalog(config.SOPHIA_CATALOG_PATH);
  const explicit = options.handler.modelMap;
  const modelMap = (id: string): string => {
    const mapped = explicit?.(id);
    if (mapped !== undefined && mapped !== id) return mapped;
    return catalog.findModel(id)?.gpu?.servedModel ?? id;
  };
  // The fleet (Lambda Cloud instances) keeps its state in the embedded state file.
  const state = fleetConfigured ? openDataDir(dataDirOptions(config), [FLEET_STORE_SCHEMA]) : undefined;
  const store = state ? createSqliteFleetStore(state.db) : undefined;
  const ledger = fleetConfigured ? connect(LedgerService, 'ledger') : undefined;
  const fleet = store
    ? await startFleet({ config, catalog, pool, store, registry: metrics.registry, logger, ...(options.handler.apiKey ? { vllmApiKey: options.handler.apiKey } : {}), ...(ledger ? { ledger } : {}) })
    : undefined;
  const gates = createEndpointGates(options.gates);
  const ttft = createTtftLimits(options.ttft);
  const inference = createGpuInferenceHandler({ ...options.handler, modelMap, pool, logger, gates, ttft, ...(fleet ? { acquire: fleet.acquire } : {}) });
  registerPoolGauges(pool, metrics.registry, { gates, ttft });
  return {
    services: [
      serviceRegistration(InferenceService, fleet ? withFleetSignals(inference, fleet) : inference),
      serviceRegistration(
        FleetService,
        fleet && store ? createFleetServiceHandler({ mode: fleet.mode, controller: fleet.controller, store, pools: fleet.pools, limits: fleet.limits, drain: fleet.drain }) : createFleetOffHandler(),
      ),
    ],
    close: async () => {
      await fleet?.close();
      state?.close();
      pool.stop();
      await closeUpstreamDispatchers();
    },
  };
});
