import { create, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createRouterTransport, createClient } from '@connectrpc/connect';
import { ClassifierService } from '@sophia/contracts/classifier';
import { RouterService } from '@sophia/contracts/router';
import { Health, HealthCheckResponse_ServingStatus as Status } from '@sophia/contracts/grpc-health';
import { ServerReflection, ServerReflectionRequestSchema } from '@sophia/contracts/grpc-reflection';
import { ServerReflection as ServerReflectionV1Alpha } from '@sophia/contracts/grpc-reflection-v1alpha';
import { addGrpcTooling } from './connect-grpc-tooling.ts';
import { createDescriptorIndex } from './descriptor-index.ts';
import { answerReflection } from './reflection-service.ts';

const ask = (messageRequest: Parameters<typeof create<typeof ServerReflectionRequestSchema>>[1] extends infer I ? I extends { messageRequest?: infer M } ? M : never : never) =>
  create(ServerReflectionRequestSchema, { host: 'h', messageRequest });

function fileNames(res: ReturnType<typeof answerReflection>): string[] {
  if (res.messageResponse.case !== 'fileDescriptorResponse') throw new Error(`expected files, got ${res.messageResponse.case}`);
  return res.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name);
}

describe('answerReflection', () => {
  // The router's file imports the classifier's: reflection must still list only what is served.
  const index = createDescriptorIndex([RouterService, Health]);

  it('lists the served services only, not those of imported files', () => {
    const res = answerReflection(index, ask({ case: 'listServices', value: '' }));
    expect(res.messageResponse.case === 'listServicesResponse' && res.messageResponse.value.service.map((s) => s.name)).toEqual([
      'grpc.health.v1.Health',
      'sophia.router.v1.RouterService',
    ]);
  });

  it('finds the file of a service, a method, a message and a field, with its imports after it', () => {
    for (const symbol of ['sophia.router.v1.RouterService', 'sophia.router.v1.RouterService.Generate', 'sophia.router.v1.RouteInput', 'sophia.router.v1.RouteInput.tenant']) {
      const names = fileNames(answerReflection(index, ask({ case: 'fileContainingSymbol', value: symbol })));
      expect(names[0]).toBe('sophia/router/v1/router.proto');
      expect(names).toEqual(expect.arrayContaining(['sophia/classifier/v1/classifier.proto', 'sophia/common/v1/common.proto']));
    }
    expect(fileNames(answerReflection(index, ask({ case: 'fileByFilename', value: 'grpc/health/v1/health.proto' })))).toEqual(['grpc/health/v1/health.proto']);
  });

  it('answers NOT_FOUND naming what was asked for, and INVALID_ARGUMENT for an empty request', () => {
    const missing = answerReflection(index, ask({ case: 'fileContainingSymbol', value: 'sophia.nothing.v1.Thing' }));
    expect(missing.messageResponse).toEqual({ case: 'errorResponse', value: expect.objectContaining({ errorCode: 5, errorMessage: 'symbol "sophia.nothing.v1.Thing" not found' }) });
    const empty = answerReflection(index, create(ServerReflectionRequestSchema, {}));
    expect(empty.messageResponse).toEqual({ case: 'errorResponse', value: expect.objectContaining({ errorCode: 3 }) });
    const ext = answerReflection(index, ask({ case: 'allExtensionNumbersOfType', value: 'sophia.router.v1.RouteInput' }));
    expect(ext.messageResponse).toEqual({ case: 'allExtensionNumbersResponse', value: expect.objectContaining({ extensionNumber: [] }) });
  });
});

describe('addGrpcTooling (in-memory Connect transport)', () => {
  function served() {
    let state: ReturnType<typeof addGrpcTooling> | undefined;
    const transport = createRouterTransport((r) => {
      r.service(ClassifierService, { classify: () => ({}) });
      state = addGrpcTooling(r, [ClassifierService]);
    });
    return { transport, health: state! };
  }

  it('reports NOT_SERVING until switched on, NOT_FOUND for an unknown service', async () => {
    const { transport, health } = served();
    const client = createClient(Health, transport);
    expect((await client.check({ service: '' })).status).toBe(Status.NOT_SERVING);
    health.setServing(true);
    expect((await client.check({ service: 'sophia.classifier.v1.ClassifierService' })).status).toBe(Status.SERVING);
    await expect(client.check({ service: 'sophia.nothing.v1.NoService' })).rejects.toMatchObject({ code: Code.NotFound });
    expect(Object.keys((await client.list({})).statuses).sort()).toEqual(['', 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection', 'sophia.classifier.v1.ClassifierService']);
  });

  it('Watch sends the current status, then each change', async () => {
    const { transport, health } = served();
    const client = createClient(Health, transport);
    const abort = new AbortController();
    const seen: Status[] = [];
    const stream = client.watch({ service: '' }, { signal: abort.signal });
    const reading = (async () => {
      try {
        for await (const res of stream) {
          seen.push(res.status);
          if (seen.length === 1) health.setServing(true);
          if (seen.length === 2) health.setServing(false);
          if (seen.length === 3) abort.abort();
        }
      } catch (err) {
        if (!(err instanceof ConnectError && err.code === Code.Canceled)) throw err;
      }
    })();
    await reading;
    expect(seen).toEqual([Status.NOT_SERVING, Status.SERVING, Status.NOT_SERVING]);
  });

  it('serves reflection v1 and v1alpha with the same answers', async () => {
    const { transport } = served();
    async function listVia(service: typeof ServerReflection | typeof ServerReflectionV1Alpha): Promise<string[]> {
      const client = createClient(service, transport);
      async function* one() {
        yield { messageRequest: { case: 'listServices' as const, value: '' } };
      }
      for await (const res of client.serverReflectionInfo(one())) {
        if (res.messageResponse.case === 'listServicesResponse') return res.messageResponse.value.service.map((s) => s.name);
      }
      throw new Error('no answer');
    }
    const v1 = await listVia(ServerReflection);
    expect(v1).toEqual(['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection', 'sophia.classifier.v1.ClassifierService']);
    expect(await listVia(ServerReflectionV1Alpha)).toEqual(v1);
  });
});
