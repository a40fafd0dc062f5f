import { createRequire } from 'node:module';
import { credentials, loadPackageDefinition, type Client, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

// Resolve the .proto files shipped inside the health and reflection packages (no copies in-tree).
const requireFromHere = createRequire(`${process.cwd()}/`);
const healthProto = requireFromHere.resolve('grpc-health-check/proto/health/v1/health.proto');
const reflectionProto = requireFromHere
  .resolve('@grpc/reflection/package.json')
  .replace(/package\.json$/, 'build/proto/grpc/reflection/v1/reflection.proto');

function clientCtor(protoPath: string, path: readonly string[]): ServiceClientConstructor {
  const pkg = loadPackageDefinition(loadSync(protoPath, { keepCase: true, longs: String, enums: String, defaults: true }));
  let node: GrpcObject | ServiceClientConstructor = pkg;
  for (const part of path) node = (node as GrpcObject)[part] as GrpcObject | ServiceClientConstructor;
  return node as ServiceClientConstructor;
}

function closeAfter<T>(client: Client, p: Promise<T>): Promise<T> {
  return p.finally(() => client.close());
}

/**
 * Asks a server's `grpc.health.v1.Health/Check` for `service` ('' = whole server), the way a
 * Kubernetes gRPC probe does. Resolves to the status name, e.g. "SERVING".
 */
export function checkHealth(address: string, service = '', timeoutMs = 3000): Promise<string> {
  const Ctor = clientCtor(healthProto, ['grpc', 'health', 'v1', 'Health']);
  const client = new Ctor(address, credentials.createInsecure());
  return closeAfter(
    client,
    new Promise<string>((resolve, reject) => {
      const check = (client as unknown as Record<string, (req: object, opts: object, cb: (err: Error | null, res?: { status: string }) => void) => void>)['Check'];
      check!.call(client, { service }, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res!.status)));
    }),
  );
}

/** Lists the services a server exposes through gRPC server reflection (v1), like `grpcurl list`. */
export function listServicesByReflection(address: string, timeoutMs = 3000): Promise<string[]> {
  const Ctor = clientCtor(reflectionProto, ['grpc', 'reflection', 'v1', 'ServerReflection']);
  const client = new Ctor(address, credentials.createInsecure());
  return closeAfter(
    client,
    new Promise<string[]>((resolve, reject) => {
      const open = (client as unknown as Record<string, (opts: object) => NodeJS.ReadWriteStream & { end(): void; write(m: object): boolean }>)['ServerReflectionInfo'];
      const call = open!.call(client, { deadline: Date.now() + timeoutMs });
      call.on('data', (res: { list_services_response?: { service: Array<{ name: string }> }; error_response?: { error_message: string } }) => {
        if (res.error_response) reject(new Error(res.error_response.error_message));
        else resolve((res.list_services_response?.service ?? []).map((s) => s.name).sort());
        call.end();
      });
      call.on('error', reject);
      call.write({ list_services: '' });
    }),
  );
}
