export { createSafeTokenCounter, MAX_RUN, type CountTokens } from './safe-token-counter.ts';
export { loadO200kCounter, o200kCounter } from './load-o200k-counter.ts';
export { loadCompactBpe, type CompactBpe } from './compact-bpe.ts';
export { countChatPromptTokens } from './chat-prompt-tokens.ts';
