import type { ServerResponse } from 'node:http';
import { chunkBody, usageChunkBody, usageOf } from './completion-bodies.ts';
import { DEFAULT_AFTER_TOKENS, dripMs, type CompletionRun } from './completion-run.ts';
import { createSseWriter } from './sse-writer.ts';
import { midStreamStall, waitOutFirstTokenStall } from './stall-faults.ts';
import { paceTokens, type MidStreamAction } from './token-pacer.ts';

/**
 * The SSE answer: one `chat.completion.chunk` per token (the first also carries the role), a chunk with
 * the finish reason, the usage chunk when asked for, then `data: [DONE]`. Mid-stream faults act here.
 */
export async function streamCompletion(res: ServerResponse, run: CompletionRun): Promise<boolean> {
  const { identity, output, fault, signal } = run;
  const writer = createSseWriter(res, signal, run.headers);

  if (!(await waitOutFirstTokenStall(fault, signal))) return false;

  let midStream: MidStreamAction | undefined = midStreamStall(fault, signal);
  if (fault?.kind === 'cut-mid-stream') {
    midStream = {
      at: fault.afterTokens ?? DEFAULT_AFTER_TOKENS,
      action: async () => {
        await writer.flush();
        res.destroy();
        return false;
      },
    };
  } else if (fault?.kind === 'malformed-chunk') {
    midStream = {
      at: fault.afterTokens ?? DEFAULT_AFTER_TOKENS,
      action: () => writer.raw(`{"id":"${identity.id}","object":"chat.completion.chunk","choices":[{"delta":{"content":`),
    };
  }

  const steps = output.steps;
  const finished = await paceTokens({
    count: steps.length,
    ttftMs: run.ttftMs,
    interTokenMs: run.interTokenMs,
    dripMs: dripMs(fault),
    signal,
    ...(midStream ? { midStream } : {}),
    emit: async (index) => {
      const step = steps[index]!;
      const ok = await writer.event(chunkBody(identity, step.delta, null, run.includeUsage, { index: step.choice, logprobs: step.logprobs }));
      if (ok) run.onToken(index);
      return ok;
    },
  });
  if (!finished) return false;

  for (const choice of output.choices) {
    if (!(await writer.event(chunkBody(identity, {}, choice.finishReason, run.includeUsage, { index: choice.index, logprobs: null })))) return false;
  }
  if (run.includeUsage && !(await writer.event(usageChunkBody(identity, usageOf(run.promptTokens, output.completionTokens, run.cachedPromptTokens))))) {
    return false;
  }
  if (!(await writer.raw('[DONE]'))) return false;
  res.end();
  return true;
}
