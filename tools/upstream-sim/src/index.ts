/**
 * @sophia/upstream-sim: an OpenAI-compatible upstream (serverless and vLLM personas) for `npm start`,
 * end-to-end tests, fault scenarios and benchmarks.
 */
export { createUpstreamSimulator, type UpstreamSimulator, type UpstreamSimulatorOptions } from './upstream-simulator.ts';
export type { Persona } from './chat-completions-handler.ts';
export {
  FAULT_KINDS,
  FaultSpecError,
  faultSpecFromJson,
  formatFaultSpec,
  parseFaultSpec,
  type FaultSpec,
  type InnerFaultSpec,
} from './fault-spec.ts';
export type { SimulatorStats } from './simulator-stats.ts';
export { countPromptTokens, countTextTokens, TOKENIZER_CHAT_MODEL, type PromptMessage } from './token-counter.ts';
