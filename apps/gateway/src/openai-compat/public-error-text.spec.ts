import { openAiParam, publicClientError, publicServerError, withoutInternals } from './public-error-text.ts';

describe('public error text', () => {
  it.each([
    ['input.model', 'model'],
    ['input.params.max_tokens', 'max_tokens'],
    ['input.messages[2].content', 'messages[2].content'],
    ['input.messages[1].parts', 'messages[1].content'],
    ['input.params.tools[0].parameters_json', 'tools[0].function.parameters'],
    ['input.quality_target', 'x-sophia-quality'],
    ['input.provider.only', 'provider.only'],
    ['temperature', 'temperature'],
  ])('maps %s to the OpenAI name %s', (path, name) => {
    expect(openAiParam(path)).toBe(name);
  });

  it('translates the leading field path into param and removes target keys and upstream URLs', () => {
    expect(publicClientError('input.model: "gpt-17" is not in the catalog')).toEqual({ message: 'model: "gpt-17" is not in the catalog', param: 'model' });
    expect(publicClientError('serverless:meta-llama/Llama-3.1-8B-Instruct failed: upstream http://10.0.0.7:8000/v1/chat/completions: 400 bad value for top_k')).toEqual({
      message: 'the upstream provider: 400 bad value for top_k',
      param: null,
    });
    expect(publicClientError('tools: model "x" does not support tool calling').param).toBe('tools');
    expect(publicClientError('over budget: tenant acme spent $3 of $2').param).toBeNull();
  });

  it('gives server errors only the outcome and the request id, and strips internals for gRPC callers', () => {
    expect(publicServerError(503, 'req-1')).toBe('no model backend could serve the request right now; retry later (request id req-1)');
    expect(publicServerError(504, undefined)).toBe('the request timed out before the model answered');
    expect(withoutInternals('serverless:m: upstream https://api.x.test/v1/chat/completions: cannot connect via /sophia.router.v1.RouterService/Generate')).toBe(
      'serverless:m: the upstream provider: cannot connect via ',
    );
  });
});
