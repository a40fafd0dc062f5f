import { create } from '@bufbuild/protobuf';
import { ChatMessageSchema, Role, type ChatMessage } from '@sophia/contracts/common';

/** The instruction that asks the rescue model to carry on from the partial answer. */
export const CONTINUE_INSTRUCTION =
  'Your previous answer was interrupted. Continue exactly where you stopped: output only the rest of the answer, without repeating anything already written and without any preamble.';

/**
 * The conversation for a mid-stream rescue leg: the original messages, the partial answer the
 * client already received as the assistant's turn, and a user turn asking to continue exactly
 * where it stopped. Chat-completions providers have no portable "continue this assistant message"
 * mode, so the instruction is explicit.
 */
export function continuationMessages(messages: readonly ChatMessage[], partialAnswer: string): ChatMessage[] {
  return [
    ...messages,
    create(ChatMessageSchema, { role: Role.ASSISTANT, content: partialAnswer }),
    create(ChatMessageSchema, { role: Role.USER, content: CONTINUE_INSTRUCTION }),
  ];
}
