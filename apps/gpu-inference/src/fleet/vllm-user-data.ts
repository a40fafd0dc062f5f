// The cloud-init user data that turns a fresh Lambda instance into a vLLM server for one pool's
// model: Lambda Stack images ship Docker with the NVIDIA runtime, so the official vLLM image is run
// with the catalog's served model, on all the instance's GPUs, on the port the pool probes.
import type { FleetPool } from './fleet-pool.ts';

/** Options for vllmUserData. */
export interface VllmUserDataOptions {
  /** GPUs on the instance type (tensor parallelism). */
  readonly gpus: number;
  /** @default 8000 */
  readonly port?: number;
  /** vLLM image. @default "vllm/vllm-openai:v0.11.0" */
  readonly image?: string;
  /** Name of a file on the instance holding the vLLM API key (never the key itself in user data). */
  readonly apiKeyFile?: string;
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** cloud-config text starting vLLM with `pool.servedModel`. */
export function vllmUserData(pool: FleetPool, options: VllmUserDataOptions): string {
  const port = options.port ?? 8000;
  const args = [
    'docker run -d --restart unless-stopped --gpus all --ipc=host',
    `-p ${port}:8000 -v /home/ubuntu/.cache/huggingface:/root/.cache/huggingface`,
    shellQuote(options.image ?? 'vllm/vllm-openai:v0.11.0'),
    `--model ${shellQuote(pool.servedModel)} --served-model-name ${shellQuote(pool.servedModel)}`,
    `--tensor-parallel-size ${options.gpus}`,
    ...(options.apiKeyFile ? [`--api-key "$(cat ${shellQuote(options.apiKeyFile)})"`] : []),
  ];
  return ['#cloud-config', 'runcmd:', `  - [sh, -c, ${JSON.stringify(args.join(' '))}]`, ''].join('\n');
}
