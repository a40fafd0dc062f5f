export { createSafeTokenCounter, MAX_RUN, type CountTokens } from './safe-token-counter.ts';
