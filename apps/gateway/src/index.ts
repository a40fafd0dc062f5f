export { createGatewayServer, type GatewayServer, type GatewayServerOptions } from './gateway-server.ts';
export { gatewayConfigSchema, type GatewayConfig } from './gateway-config.ts';
export { createApiKeyAuth, parseApiKeys, presentedApiKey, type ApiKeyAuth, type ApiKeyEntry } from './api-key-auth.ts';
export { httpStatusForCode, httpErrorFromRouter, type GatewayHttpError } from './status-to-http.ts';
export { parseChatCompletionRequest, type ChatCompletionRequest } from './openai-request-schema.ts';
export { sophiaDecisionView, decisionHeaders, microUsdToDecimal, type SophiaDecisionView } from './decision-view.ts';
export { hasScope, requireScope, tenantInScope, scopeList, SCOPES, type Caller, type Scope } from './api-key-scopes.ts';
