import { countTokensLazily } from './token-count.ts';

/**
 * Token counts for a stream that ended before the upstream reported usage (cut, cancelled):
 * tokens already generated are still billed. Prompt tokens are the classifier's count (or a
 * tokenizer count of the prompt); completion tokens are counted from the text that arrived.
 */
export async function estimatePartialUsage(
  promptTokens: number,
  completionText: string,
): Promise<{ promptTokens: number; completionTokens: number; totalTokens: number }> {
  const completionTokens = await countTokensLazily(completionText);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}
