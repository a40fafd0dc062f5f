// The rules for a request's generation parameters, applied by every hop that receives them: the
// gateway (REST and gRPC front doors, before any budget is reserved), the router (other gRPC
// callers: ghz, SQL) and the inference services (their direct callers). One module, so a request the
// edge accepts is never refused later for the same field. `top_p: 0` is OpenAI's (only the most likely
// token) and is accepted; the upstream body sends it as the smallest nucleus vLLM and providers take
// (@sophia/openai-upstream MIN_TOP_P), since they refuse 0 itself.

/** Parameter limits (OpenAI names in the messages). */
export const GENERATION_LIMITS = {
  /** max_tokens: at least this. */
  minMaxTokens: 1,
  /** temperature: in [0, this]. */
  maxTemperature: 2,
  /** top_p: in [0, this]. */
  maxTopP: 1,
  /** stop: at most this many sequences, none empty. */
  maxStopSequences: 4,
} as const;

/** The parameters the rules read (protobuf GenerationParams and the gateway's parsed body both fit). */
export interface GenerationParamsInput {
  readonly maxTokens?: number | undefined;
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly stop?: readonly string[] | undefined;
}

/** The first broken rule: the OpenAI parameter name and what is wrong with it. */
export interface GenerationParamProblem {
  readonly param: 'max_tokens' | 'temperature' | 'top_p' | 'stop';
  readonly message: string;
}

/** The first rule `params` breaks, or undefined when they may be sent upstream as they are. */
export function generationParamsProblem(params: GenerationParamsInput | undefined): GenerationParamProblem | undefined {
  if (!params) return undefined;
  const { maxTokens, temperature, topP, stop } = params;
  if (maxTokens !== undefined && !Number.isInteger(maxTokens)) return { param: 'max_tokens', message: 'must be an integer' };
  if (maxTokens !== undefined && maxTokens < GENERATION_LIMITS.minMaxTokens) return { param: 'max_tokens', message: `must be at least ${GENERATION_LIMITS.minMaxTokens}` };
  if (temperature !== undefined && !(temperature >= 0 && temperature <= GENERATION_LIMITS.maxTemperature)) {
    return { param: 'temperature', message: `must be between 0 and ${GENERATION_LIMITS.maxTemperature}` };
  }
  if (topP !== undefined && !(topP >= 0 && topP <= GENERATION_LIMITS.maxTopP)) {
    return { param: 'top_p', message: `must be between 0 and ${GENERATION_LIMITS.maxTopP}` };
  }
  if (stop !== undefined && stop.length > GENERATION_LIMITS.maxStopSequences) {
    return { param: 'stop', message: `must hold at most ${GENERATION_LIMITS.maxStopSequences} sequences` };
  }
  if (stop?.some((s) => s.length === 0)) return { param: 'stop', message: 'must not contain empty strings' };
  return undefined;
}
