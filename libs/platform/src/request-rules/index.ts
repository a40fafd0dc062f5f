export { GENERATION_LIMITS, generationParamsProblem, type GenerationParamsInput, type GenerationParamProblem } from './generation-params.ts';
