import { Role, type ChatMessage } from '@sophia/contracts/common';
import { countChatPromptTokens, loadO200kCounter } from '@sophia/platform/tokens';

/**
 * Exact token count of `text` with the gpt-tokenizer default encoding (the simulator's and classifier's).
 * The tables (≈ 76 MB) load on first use: a router whose classifier supplies prompt counts only needs
 * them for explicit-model requests, rescued streams and partial-usage billing, so routine traffic never
 * loads them. Never throws on text such as "<|endoftext|>"; linear on pathological runs.
 */
export async function countTokensLazily(text: string): Promise<number> {
  if (text.length === 0) return 0;
  return (await loadO200kCounter())(text);
}

/** Prompt tokens of `messages`, counted the way the classifier counts them (the chat template included). */
export async function countPromptTokensLazily(messages: readonly ChatMessage[]): Promise<number> {
  const count = await loadO200kCounter();
  return countChatPromptTokens(count, messages.map((m) => ({ role: (Role[m.role] ?? '').toLowerCase(), content: m.content })));
}
