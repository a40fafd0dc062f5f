// What the fleet needs from a GPU cloud, in the Lambda Cloud API's terms: the controller talks to
// this interface so that the real HTTP client, the simulated cloud (tools/lambda-cloud-sim) and the
// offline simulation's virtual cloud are interchangeable.

/** Lifecycle status a cloud reports for an instance (Lambda's values). */
export type CloudInstanceStatus = 'booting' | 'active' | 'unhealthy' | 'terminating' | 'terminated';

/** An instance as the cloud describes it. */
export interface CloudInstance {
  readonly id: string;
  readonly name: string;
  readonly status: CloudInstanceStatus;
  readonly instanceType: string;
  readonly region: string;
  /** IPv4 address or host name, once assigned. */
  readonly ip?: string;
  /**
   * Where vLLM listens, when the cloud knows better than `http://<ip>:<vllmPort>` — only the
   * simulator (tools/lambda-cloud-sim) says so (field `vllm_url`), as its instances share one host.
   */
  readonly vllmUrl?: string;
}

/** An instance type with its price and the regions that can launch it now. */
export interface CloudInstanceType {
  readonly name: string;
  readonly description: string;
  readonly priceCentsPerHour: number;
  readonly specs: { readonly gpus: number; readonly vcpus: number; readonly memoryGib: number; readonly storageGib: number };
  readonly regionsWithCapacity: readonly string[];
}

/** One launch: exactly one instance (the Lambda API's rate limits make batches pointless). */
export interface LaunchRequest {
  readonly instanceType: string;
  readonly region: string;
  readonly name: string;
  readonly sshKeyNames: readonly string[];
  /** cloud-init user data run at first boot (starts vLLM with the pool's model). */
  readonly userData?: string;
}

/** An SSH key registered with the cloud. */
export interface CloudSshKey {
  readonly id: string;
  readonly name: string;
  readonly publicKey: string;
}

/** Failure classes the controller acts on; every cloud error is mapped onto one of these in one place. */
export type CloudErrorKind =
  | 'insufficient_capacity'
  | 'quota_exceeded'
  | 'rate_limited'
  | 'unauthorized'
  | 'not_found'
  | 'invalid_request'
  | 'unavailable';

/** A cloud API failure with the provider's code, message and suggestion (never the API key). */
export class CloudError extends Error {
  override readonly name = 'CloudError';
  readonly kind: CloudErrorKind;
  /** The provider's own code (`instance-operations/launch/insufficient-capacity`). */
  readonly code: string;
  readonly suggestion: string | undefined;
  /** Server-advised wait before retrying, for rate_limited. */
  readonly retryAfterMs: number | undefined;
  constructor(kind: CloudErrorKind, message: string, code: string = kind, suggestion?: string, retryAfterMs?: number) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.suggestion = suggestion;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The GPU cloud as the fleet controller uses it. */
export interface CloudClient {
  listInstanceTypes(): Promise<CloudInstanceType[]>;
  listInstances(): Promise<CloudInstance[]>;
  getInstance(id: string): Promise<CloudInstance>;
  /** Launches one instance; resolves to its id. @throws CloudError */
  launch(request: LaunchRequest): Promise<string>;
  terminate(ids: readonly string[]): Promise<void>;
  restart(ids: readonly string[]): Promise<void>;
  listSshKeys(): Promise<CloudSshKey[]>;
  addSshKey(name: string, publicKey: string): Promise<CloudSshKey>;
  deleteSshKey(id: string): Promise<void>;
}
