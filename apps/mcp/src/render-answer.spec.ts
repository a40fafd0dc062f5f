import { renderAnswer } from './render-answer.ts';

describe('renderAnswer', () => {
  const plan = { id: 'plan_1', status: 'PLAN_STATUS_PENDING', expires_at: '2026-12-09T10:10:00Z', summary: 'Route the next 3 requests to gpu.', cost_effect: '≈ +$0.01' };

  it('says a plan changed nothing yet and how to confirm it', () => {
    expect(renderAnswer({ command: { intent: 'route.next', args: { n: 3 } }, plan, reader: 'rules' })).toBe(
      'PLAN plan_1 (pending, expires 2026-12-09T10:10:00Z): Route the next 3 requests to gpu.\nExpected cost effect: ≈ +$0.01\nNothing has changed yet: call confirm_plan with plan_id "plan_1" to apply it.',
    );
  });

  it('marks an answer the LLM fallback read, before anything else', () => {
    const text = renderAnswer({ plan, reader: 'llm' });
    expect(text.split('\n')[0]).toBe('Read by the LLM fallback (the rules could not read this text); nothing runs until it is confirmed.');
    expect(text).toContain('call confirm_plan');
  });
});
