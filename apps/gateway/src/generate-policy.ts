import type { MessageInitShape } from '@bufbuild/protobuf';
import { createContextKey, createContextValues, type CallOptions, type Client } from '@connectrpc/connect';
import type { GenerateRequestSchema, GenerateResponse, RouteInput, RouterService } from '@sophia/contracts/router';
import { promptFingerprint } from './prompt-fingerprint.ts';

/** What a policy knows of a call whatever its input. */
interface GenerateCallBase {
  readonly request: MessageInitShape<typeof GenerateRequestSchema>;
  readonly callOptions: CallOptions | undefined;
  /** The wrapped router's answer to this same call: what a policy yields when it lets the call through. */
  next(): AsyncIterable<GenerateResponse>;
}

/**
 * One `Generate` call as a gateway traffic policy sees it: its route input (tenant, messages,
 * parameters) with the prompt's fingerprint, or neither on a malformed request, which policies pass
 * through.
 */
export type GenerateCall = GenerateCallBase &
  ({ readonly input: RouteInput; readonly promptFingerprint: string } | { readonly input: undefined; readonly promptFingerprint: undefined });

/**
 * The call's prompt fingerprint, carried from the outermost policy to the inner ones in the call
 * options' context values (the same request passes through every layer): computed once per request.
 */
const PROMPT_FINGERPRINT = createContextKey<string | undefined>(undefined, { description: 'sophia prompt fingerprint' });

/**
 * `router` with `policy` in front of `Generate`, every other method unchanged: the one shape shared
 * by the gateway's rate limits, response cache, runaway protection and prompt recorder, so each
 * states only its rule. The first layer fingerprints the prompt; the layers below reuse it.
 */
export function withGeneratePolicy(router: Client<typeof RouterService>, policy: (call: GenerateCall) => AsyncIterable<GenerateResponse>): Client<typeof RouterService> {
  return {
    ...router,
    generate: (request, callOptions) => {
      const input = request.input as RouteInput | undefined;
      if (!input) return policy({ request, input: undefined, promptFingerprint: undefined, callOptions, next: () => router.generate(request, callOptions) });
      const contextValues = callOptions?.contextValues ?? createContextValues();
      let fingerprint = contextValues.get(PROMPT_FINGERPRINT);
      if (fingerprint === undefined) contextValues.set(PROMPT_FINGERPRINT, (fingerprint = promptFingerprint(input)));
      const carried: CallOptions = { ...callOptions, contextValues };
      return policy({ request, input, promptFingerprint: fingerprint, callOptions: carried, next: () => router.generate(request, carried) });
    },
  };
}
