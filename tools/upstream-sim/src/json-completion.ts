import type { ServerResponse } from 'node:http';
import { completionBody } from './completion-bodies.ts';
import { DEFAULT_AFTER_TOKENS, dripMs, type CompletionRun } from './completion-run.ts';
import { midStreamStall, waitOutFirstTokenStall } from './stall-faults.ts';
import { paceTokens, type MidStreamAction } from './token-pacer.ts';

/**
 * The non-streaming answer: the same generation clock as a stream, then one `chat.completion` body.
 * Stream faults map to their JSON equivalents: a cut sends half the declared body and closes the
 * socket, a malformed chunk becomes a 200 whose body is not JSON, stalls delay the body.
 */
export async function respondJson(res: ServerResponse, run: CompletionRun): Promise<boolean> {
  const { output, fault, signal } = run;
  const text = JSON.stringify(completionBody(run.identity, output, run.promptTokens, run.cachedPromptTokens));
  const headers = { 'content-type': 'application/json', ...run.headers };

  if (fault?.kind === 'stall-before-first-token') {
    res.writeHead(200, headers);
    res.flushHeaders();
  }
  if (!(await waitOutFirstTokenStall(fault, signal))) return false;

  let midStream: MidStreamAction | undefined = midStreamStall(fault, signal);
  if (fault?.kind === 'cut-mid-stream') {
    midStream = {
      at: fault.afterTokens ?? DEFAULT_AFTER_TOKENS,
      action: async () => {
        const bytes = Buffer.from(text);
        if (!res.headersSent) res.writeHead(200, { ...headers, 'content-length': bytes.length });
        await new Promise<void>((resolve) => res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => resolve()));
        res.destroy();
        return false;
      },
    };
  }

  const finished = await paceTokens({
    count: output.steps.length,
    ttftMs: run.ttftMs,
    interTokenMs: run.interTokenMs,
    dripMs: dripMs(fault),
    signal,
    ...(midStream ? { midStream } : {}),
    emit: (index) => {
      run.onToken(index);
      return true;
    },
  });
  if (!finished) return false;

  const body = fault?.kind === 'malformed-chunk' ? `${text.slice(0, Math.floor(text.length / 2))}<<simulated malformed body` : text;
  if (!res.headersSent) res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return true;
}
