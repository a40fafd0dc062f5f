import { Code } from '@connectrpc/connect';
import { apiUrl } from './api-url.ts';
import { describeEndpoint } from './map-upstream-error.ts';
import { requestUpstreamText, type RequestUpstreamTextOptions } from './request-upstream-text.ts';
import { upstreamError, UpstreamFailureKind } from './upstream-error.ts';

/** Options for {@link listUpstreamModels}. */
export type ListUpstreamModelsOptions = Omit<RequestUpstreamTextOptions, 'url'> & { baseUrl: string };

/**
 * Lists the model ids an OpenAI-compatible upstream serves (`GET <base>/models`,
 * `{"data":[{"id":…}]}`). A reply of another shape is a malformed-upstream error, not an
 * empty list.
 */
export async function listUpstreamModels(options: ListUpstreamModelsOptions): Promise<string[]> {
  const { baseUrl, ...rest } = options;
  const url = apiUrl(baseUrl, 'models');
  const text = await requestUpstreamText({ ...rest, url });
  const bad = (what: string) =>
    upstreamError(Code.Unavailable, UpstreamFailureKind.MalformedStream, `upstream ${describeEndpoint(url)}: malformed model list: ${what}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (typeof json !== 'object' || json === null || !('data' in json) || !Array.isArray(json.data)) throw bad('no "data" array');
  return json.data.map((entry: unknown, i: number) => {
    if (typeof entry !== 'object' || entry === null || !('id' in entry) || typeof entry.id !== 'string') throw bad(`data[${i}].id is not a string`);
    return entry.id;
  });
}
