import type { Client } from '@connectrpc/connect';
import { Role } from '@sophia/contracts/common';
import type { GenerateResponse, RouterService } from '@sophia/contracts/router';
import { withGeneratePolicy, type GenerateCall } from './generate-policy.ts';
import { promptFingerprint } from './prompt-fingerprint.ts';

/** A router client whose Generate answers at once with one `done` (only `generate` is called). */
const router = {
  async *generate() {
    yield { event: { case: 'done', value: { finishReason: 'stop' } } } as GenerateResponse;
  },
} as unknown as Client<typeof RouterService>;

describe('withGeneratePolicy', () => {
  it('fingerprints the prompt once per call and carries it to every layer below', async () => {
    const seen: Array<string | undefined> = [];
    const observe = (r: Client<typeof RouterService>) => withGeneratePolicy(r, (call: GenerateCall) => (seen.push(call.promptFingerprint), call.next()));
    const layered = observe(observe(observe(router)));
    const messages = [{ role: Role.USER, content: 'daily report' }];
    let messageReads = 0;
    // Every fingerprint reads the messages once; nothing else on this path does.
    const input = {
      tenant: 'acme',
      get messages() {
        messageReads += 1;
        return messages;
      },
    };
    for await (const _ of layered.generate({ input })) void _;
    expect(seen).toEqual(Array(3).fill(promptFingerprint({ tenant: 'acme', messages })));
    expect(messageReads).toBe(1);
  });

  it('passes a malformed call (no route input) to the policy without a fingerprint', async () => {
    const seen: GenerateCall[] = [];
    const layered = withGeneratePolicy(router, (call) => (seen.push(call), call.next()));
    const events: GenerateResponse[] = [];
    for await (const res of layered.generate({})) events.push(res);
    expect(seen).toEqual([expect.objectContaining({ input: undefined, promptFingerprint: undefined })]);
    expect(events).toHaveLength(1);
  });
});
