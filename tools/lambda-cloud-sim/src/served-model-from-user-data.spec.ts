import { servedModelFromUserData } from './served-model-from-user-data.ts';

describe('servedModelFromUserData', () => {
  it('reads --served-model-name first, then --model, quoted or bare', () => {
    expect(servedModelFromUserData(`docker run x --model 'org/big' --served-model-name 'org/small'`)).toBe('org/small');
    expect(servedModelFromUserData('vllm serve --model=org/m --port 8000')).toBe('org/m');
    expect(servedModelFromUserData('--served-model-name "a b"')).toBe('a b');
    expect(servedModelFromUserData('#cloud-config')).toBeUndefined();
    expect(servedModelFromUserData(undefined)).toBeUndefined();
  });
});
