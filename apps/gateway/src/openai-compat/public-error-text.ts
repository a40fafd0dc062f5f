/**
 * Error text for API users: the problem in OpenAI terms, never an internal proto path
 * (`input.params.max_tokens`), an upstream URL, a target key or a gRPC method. The full text stays
 * in the gateway's log line for the request id the error body carries.
 */

/** Internal field paths → the OpenAI parameter (or header) the caller actually sent. */
const PROTO_PATHS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^input\.params\.response_format\.schema_json/, 'response_format.json_schema.schema'],
  [/^input\.params\.tool_choice\.function_name/, 'tool_choice.function.name'],
  [/^input\.params\.(tools\[\d+\])\.parameters_json/, '$1.function.parameters'],
  [/^input\.params\.(tools\[\d+\])\.name/, '$1.function.name'],
  [/^input\.params\./, ''],
  [/^input\.messages(\[\d+\])\.tool_calls(\[\d+\])\.(name|arguments)/, 'messages$1.tool_calls$2.function.$3'],
  [/^input\.messages(\[\d+\])\.parts/, 'messages$1.content'],
  [/^input\.messages/, 'messages'],
  [/^input\.workload_tag/, 'metadata.workload'],
  [/^input\.quality_target/, 'x-sophia-quality'],
  [/^input\.provider\./, 'provider.'],
  [/^input\.model/, 'model'],
  [/^input\.tenant/, 'api key'],
  [/^input$/, 'body'],
  [/^params\./, ''],
];

const LEADING_PATH = /^([A-Za-z_][\w.-]*(?:\[\d+\])*(?:\.[\w-]+(?:\[\d+\])*)*): /;
const TARGET_PREFIX = /^(?:serverless|gpu):\S+ failed(?: after the first token)?: /;
const UPSTREAM_URL = /\bupstream https?:\/\/\S+?:\s/g;
const ANY_URL = /https?:\/\/[^\s"',;)]+/g;
const GRPC_METHOD = /\/?sophia\.[a-z]+\.v\d+\.[A-Za-z]+(?:\/[A-Za-z]+)?/g;
const TARGET_KEY = /\b(?:serverless|gpu):[\w./-]+/g;

/** An internal field path in OpenAI terms (unchanged when it already is one). */
export function openAiParam(path: string): string {
  for (const [re, to] of PROTO_PATHS) if (re.test(path)) return path.replace(re, to);
  return path;
}

/**
 * A client-error message (4xx) made safe and OpenAI-worded: target keys and upstream URLs removed,
 * a leading field path translated; `param` is that path when the message starts with one.
 */
export function publicClientError(raw: string): { message: string; param: string | null } {
  let text = raw.replace(TARGET_PREFIX, '');
  let param: string | null = null;
  const lead = LEADING_PATH.exec(text);
  if (lead && /[._[]|^[a-z_]+$/.test(lead[1]!)) {
    param = openAiParam(lead[1]!);
    text = `${param}: ${text.slice(lead[0].length)}`;
  }
  text = text.replace(UPSTREAM_URL, 'the upstream provider: ').replace(ANY_URL, '<url>').replace(GRPC_METHOD, '').replace(TARGET_KEY, (k) => k.slice(k.indexOf(':') + 1));
  return { message: text, param };
}

/** Text with upstream URLs and gRPC method names removed (gRPC callers keep field paths and target names, their own terms). */
export function withoutInternals(text: string): string {
  return text.replace(UPSTREAM_URL, 'the upstream provider: ').replace(ANY_URL, '<url>').replace(GRPC_METHOD, '');
}

/** A bound in the caller's terms: whole seconds when it is one ("15 s"), else milliseconds. */
function formatBound(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * The one-line message of a server-side failure (5xx): what happened, what to do, and the request id
 * to quote. `budget_outage`: budgets cannot be checked and the deployment refuses unbudgeted requests;
 * `store_full`: usage cannot be recorded (the mesh's state store is out of disk space), so nothing is served;
 * `store_failed`: usage cannot be recorded for another reason (the state store cannot be written);
 * `store_out_of_memory`: the budget store (Redis) is out of memory, so new requests are refused;
 * `firstTokenBoundMs`: every backend stayed silent until the mesh's first-token bound ended the request.
 */
export function publicServerError(status: number, requestId: string | undefined, cause?: 'budget_outage' | 'store_full' | 'store_failed' | 'store_out_of_memory' | { firstTokenBoundMs: number }): string {
  const what =
    typeof cause === 'object'
      ? `no model backend started answering within ${formatBound(cause.firstTokenBoundMs)} (the mesh's bound on the wait for a first token), so the request was ended; retry later`
      : cause === 'budget_outage'
      ? 'budgets cannot be checked right now (the budget store is unreachable), so new requests are refused until it is back; retry later'
      : cause === 'store_full'
      ? "usage cannot be recorded right now (the service's state store is out of disk space), so requests are refused until space is freed; retry later"
      : cause === 'store_failed'
      ? "usage cannot be recorded right now (the service's state store cannot be written), so the request was refused rather than served unrecorded; retry later"
      : cause === 'store_out_of_memory'
      ? 'budgets cannot be reserved right now (the budget store is out of memory), so new requests are refused until it has room; retry later'
      : status === 503
      ? 'no model backend could serve the request right now; retry later'
      : status === 504
        ? 'the request timed out before the model answered'
        : status === 499
          ? 'the request was cancelled'
          : 'internal error';
  return requestId ? `${what} (request id ${requestId})` : what;
}
