// What a launched instance should serve, read from its cloud-init user data the way vLLM would:
// `--served-model-name X`, else `--model X` (quoted or bare). Undefined when neither is present.

/** The model name a vLLM command line in `userData` serves. */
export function servedModelFromUserData(userData: string | undefined): string | undefined {
  if (userData === undefined) return undefined;
  for (const flag of ['--served-model-name', '--model']) {
    const match = new RegExp(`${flag}[ =](?:'([^']+)'|"([^"]+)"|([^\\s'"]+))`).exec(userData);
    const value = match?.[1] ?? match?.[2] ?? match?.[3];
    if (value) return value;
  }
  return undefined;
}
