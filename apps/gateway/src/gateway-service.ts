import { defineHostedService } from '@sophia/platform';
import { gatewayConfigSchema } from './gateway-config.ts';
import { startGateway } from './start-gateway.ts';

/** The gateway for a host: its config schema and {@link startGateway}. */
export const gatewayService = defineHostedService(gatewayConfigSchema, (ctx) => startGateway(ctx));
