/** Tokens the chat template adds per message (role markers) and per request (assistant priming), as in OpenAI's cookbook. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REQUEST = 3;

/**
 * The one way the mesh counts a conversation's prompt tokens (the classifier's figure, and the
 * router's when it has no classification: explicit models, rescue legs): each message's role and
 * content with `countText`, plus the chat template's per-message and per-request tokens.
 */
export function countChatPromptTokens(countText: (text: string) => number, messages: ReadonlyArray<{ readonly role: string; readonly content: string }>): number {
  let total = TOKENS_PER_REQUEST;
  for (const message of messages) total += TOKENS_PER_MESSAGE + countText(message.role) + countText(message.content);
  return total;
}
