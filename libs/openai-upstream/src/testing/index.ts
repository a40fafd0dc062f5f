export { createFakeOpenAiServer, sseFrame, writeCompletion, type CompletionScript, type FakeOpenAiServer, type FakeRequest, type FakeRoute } from './fake-openai-server.ts';
export { drainGenerate, inferenceTestClient, type DrainedGenerate } from './inference-test-client.ts';
