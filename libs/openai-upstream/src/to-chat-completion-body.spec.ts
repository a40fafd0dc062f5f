import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { Role } from '@sophia/contracts/common';
import { GenerateRequestSchema } from '@sophia/contracts/inference';
import { toChatCompletionBody } from './to-chat-completion-body.ts';

describe('toChatCompletionBody', () => {
  it('maps roles, params and tenant to the OpenAI body with the upstream model name', () => {
    const request = create(GenerateRequestSchema, {
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      tenant: 'acme',
      messages: [
        { role: Role.SYSTEM, content: 'be brief' },
        { role: Role.USER, content: 'hi', name: 'bob' },
      ],
      params: { maxTokens: 64, temperature: 0, topP: 0.9, stop: ['\n'], seed: 7n },
    });
    expect(toChatCompletionBody(request, 'llama-8b')).toEqual({
      model: 'llama-8b',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi', name: 'bob' },
      ],
      max_tokens: 64,
      temperature: 0,
      top_p: 0.9,
      stop: ['\n'],
      seed: 7,
      user: 'acme',
    });
  });

  it.each([
    [{ model: '', messages: [{ role: Role.USER, content: 'x' }] }, 'model: required'],
    [{ model: 'm', messages: [] }, 'messages: at least one'],
    [{ model: 'm', messages: [{ role: Role.USER, content: 'x' }, { content: 'y' }] }, 'messages[1].role'],
    [{ model: 'm', messages: [{ role: Role.USER, content: 'x' }], params: { maxTokens: 0 } }, 'params.max_tokens'],
    [{ model: 'm', messages: [{ role: Role.USER, content: 'x' }], params: { temperature: 3 } }, 'params.temperature'],
    [{ model: 'm', messages: [{ role: Role.USER, content: 'x' }], params: { topP: 0 } }, 'params.top_p'],
  ])('rejects bad input with InvalidArgument naming the field (%#)', (init, field) => {
    const request = create(GenerateRequestSchema, init);
    let caught: unknown;
    try {
      toChatCompletionBody(request, 'x');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConnectError);
    expect((caught as ConnectError).code).toBe(Code.InvalidArgument);
    expect((caught as ConnectError).rawMessage).toContain(field);
  });
});
