import type { ChoiceDelta, TokenLogprob } from '@sophia/contracts/common';

/** A tool call with its argument pieces joined. */
export interface AccumulatedToolCall {
  readonly index: number;
  id: string;
  name: string;
  arguments: string;
}

/** One whole choice of an answer, merged from its deltas. */
export interface AccumulatedChoice {
  readonly index: number;
  content: string;
  refusal: string;
  readonly toolCalls: AccumulatedToolCall[];
  readonly logprobs: TokenLogprob[];
  /** The choice's finish reason; choice 0's comes from the stream's `done`. */
  finishReason: string;
}

/** Collects a generation's text and choice deltas into whole choices (unary REST, ChatService.Complete). */
export interface ChoiceAccumulator {
  addText(text: string): void;
  addChoice(delta: ChoiceDelta): void;
  /** The choices in index order, choice 0 finished with `finishReason`. */
  choices(finishReason: string): AccumulatedChoice[];
  /** True once anything but plain text of choice 0 arrived. */
  structured(): boolean;
}

/** Creates an empty {@link ChoiceAccumulator}; tool-call pieces are merged by their index, as OpenAI streams them. */
export function createChoiceAccumulator(): ChoiceAccumulator {
  const byIndex = new Map<number, AccumulatedChoice>();
  let structured = false;
  const choice = (index: number): AccumulatedChoice => {
    let c = byIndex.get(index);
    if (!c) {
      c = { index, content: '', refusal: '', toolCalls: [], logprobs: [], finishReason: '' };
      byIndex.set(index, c);
    }
    return c;
  };
  choice(0);
  return {
    addText(text) {
      choice(0).content += text;
    },
    addChoice(delta) {
      structured = true;
      const c = choice(delta.index);
      c.content += delta.content;
      c.refusal += delta.refusal;
      c.logprobs.push(...delta.logprobs);
      for (const piece of delta.toolCalls) {
        let call = c.toolCalls.find((t) => t.index === piece.index);
        if (!call) {
          call = { index: piece.index, id: '', name: '', arguments: '' };
          c.toolCalls.push(call);
        }
        if (piece.id) call.id = piece.id;
        if (piece.name) call.name += piece.name;
        call.arguments += piece.arguments;
      }
      if (delta.finishReason) c.finishReason = delta.finishReason;
    },
    choices(finishReason) {
      choice(0).finishReason = finishReason || choice(0).finishReason;
      return [...byIndex.values()].sort((a, b) => a.index - b.index);
    },
    structured: () => structured,
  };
}
