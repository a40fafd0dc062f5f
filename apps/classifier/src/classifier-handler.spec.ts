import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import { ClassifierService } from '@sophia/contracts/classifier';
import { Role, TaskType, Tier } from '@sophia/contracts/common';
import { createClassifier, loadDefaultModel, type Classifier } from '@sophia/classifier-core';
import { createClassifierHandler } from './classifier-handler.ts';

function clientFor(classifier: Classifier) {
  return createClient(ClassifierService, createRouterTransport(({ service }) => service(ClassifierService, createClassifierHandler(classifier))));
}

describe('ClassifierService over the committed model (in-memory transport)', () => {
  const model = createClassifier(loadDefaultModel());
  const client = clientFor(model);

  it("answers with the model's own classification mapped onto the proto enums", async () => {
    const messages = [
      { role: 'system', content: 'You are a careful mathematician.' },
      { role: 'user', content: 'A train leaves at 3:15 pm at 80 km/h; another leaves at 4:00 pm at 100 km/h. When does the second catch up?' },
    ];
    const direct = model.classify(messages);
    const res = await client.classify({
      messages: [
        { role: Role.SYSTEM, content: messages[0]!.content },
        { role: Role.USER, content: messages[1]!.content },
      ],
    });
    expect(res.score).toBeCloseTo(direct.score, 10);
    expect(res.promptTokens).toBe(direct.promptTokens);
    expect(res.expectedOutputTokens).toBe(direct.expectedOutputTokens);
    expect(res.tier).toBe({ simple: Tier.SIMPLE, balanced: Tier.BALANCED, complex: Tier.COMPLEX }[direct.tier]);
    expect(res.taskType).not.toBe(TaskType.UNSPECIFIED);
    expect(res.modelVersion).toBe(model.modelVersion);
    expect(res.features.length).toBeGreaterThan(0);
    expect(res.features.map((f) => f.name)).toEqual(direct.features.map((f) => f.name));
  });

  it('counts system prompts and earlier turns', async () => {
    const user = { role: Role.USER, content: 'Summarise this.' };
    const short = await client.classify({ messages: [user] });
    const long = await client.classify({
      messages: [{ role: Role.SYSTEM, content: 'Context: '.repeat(200) }, { role: Role.ASSISTANT, content: 'Earlier answer.' }, user],
    });
    expect(long.promptTokens).toBeGreaterThan(short.promptTokens + 100);
  });

  it('rejects empty conversations and unset roles naming the field', async () => {
    await expect(client.classify({ messages: [] })).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: 'messages: must not be empty' });
    const err = await client.classify({ messages: [{ content: 'hi' }] }).catch((e: unknown) => ConnectError.from(e));
    expect(err).toMatchObject({ code: Code.InvalidArgument, rawMessage: 'messages[0].role: must be set' });
  });
});
