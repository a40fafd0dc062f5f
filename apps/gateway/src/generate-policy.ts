import type { MessageInitShape } from '@bufbuild/protobuf';
import type { CallOptions, Client } from '@connectrpc/connect';
import type { GenerateRequestSchema, GenerateResponse, RouteInput, RouterService } from '@sophia/contracts/router';

/** One `Generate` call as a gateway traffic policy sees it. */
export interface GenerateCall {
  readonly request: MessageInitShape<typeof GenerateRequestSchema>;
  /** The request's route input (tenant, messages, parameters); undefined on a malformed request, which policies pass through. */
  readonly input: RouteInput | undefined;
  readonly callOptions: CallOptions | undefined;
  /** The wrapped router's answer to this same call: what a policy yields when it lets the call through. */
  next(): AsyncIterable<GenerateResponse>;
}

/**
 * `router` with `policy` in front of `Generate`, every other method unchanged: the one shape shared
 * by the gateway's rate limits, response cache and runaway protection, so each states only its rule.
 */
export function withGeneratePolicy(router: Client<typeof RouterService>, policy: (call: GenerateCall) => AsyncIterable<GenerateResponse>): Client<typeof RouterService> {
  return {
    ...router,
    generate: (request, callOptions) => policy({ request, input: request.input as RouteInput | undefined, callOptions, next: () => router.generate(request, callOptions) }),
  };
}
