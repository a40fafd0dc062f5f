import { generationParamsProblem } from './generation-params.ts';

describe('generationParamsProblem (the rules every hop applies)', () => {
  it.each([
    [{ maxTokens: 0 }, 'max_tokens', 'must be at least 1'],
    [{ maxTokens: 1.5 }, 'max_tokens', 'must be an integer'],
    [{ temperature: -0.1 }, 'temperature', 'must be between 0 and 2'],
    [{ temperature: Number.NaN }, 'temperature', 'must be between 0 and 2'],
    [{ topP: -0.1 }, 'top_p', 'must be between 0 and 1'],
    [{ topP: 1.01 }, 'top_p', 'must be between 0 and 1'],
    [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', 'must hold at most 4 sequences'],
    [{ stop: ['a', ''] }, 'stop', 'must not contain empty strings'],
  ])('refuses %p naming %s', (params, param, message) => {
    expect(generationParamsProblem(params)).toEqual({ param, message });
  });

  it('accepts the boundaries and absent parameters', () => {
    expect(generationParamsProblem({ maxTokens: 1, temperature: 0, topP: 1, stop: ['a', 'b', 'c', 'd'] })).toBeUndefined();
    expect(generationParamsProblem({ temperature: 2, topP: 0 })).toBeUndefined(); // OpenAI allows it (#14)
    expect(generationParamsProblem({})).toBeUndefined();
    expect(generationParamsProblem(undefined)).toBeUndefined();
  });
});
