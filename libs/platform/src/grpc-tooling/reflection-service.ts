import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import {
  ServerReflection,
  ServerReflectionRequestSchema,
  ServerReflectionResponseSchema,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from '@sophia/contracts/grpc-reflection';
import {
  ServerReflection as ServerReflectionV1Alpha,
  ServerReflectionRequestSchema as V1AlphaRequestSchema,
  ServerReflectionResponseSchema as V1AlphaResponseSchema,
} from '@sophia/contracts/grpc-reflection-v1alpha';
import type { DescriptorIndex } from './descriptor-index.ts';

/** gRPC status codes reflection's ErrorResponse carries. */
const NOT_FOUND = 5;
const INVALID_ARGUMENT = 3;

type ResponseBody = MessageInitShape<typeof ServerReflectionResponseSchema>['messageResponse'];

function files(bytes: Uint8Array[] | undefined, what: string): ResponseBody {
  if (!bytes) return { case: 'errorResponse', value: { errorCode: NOT_FOUND, errorMessage: `${what} not found` } };
  return { case: 'fileDescriptorResponse', value: { fileDescriptorProto: bytes } };
}

/** One reflection answer (v1 messages); pure, so it is tested without a server. */
export function answerReflection(index: DescriptorIndex, req: ServerReflectionRequest): ServerReflectionResponse {
  const ask = req.messageRequest;
  let body: ResponseBody;
  switch (ask.case) {
    case 'listServices':
      body = { case: 'listServicesResponse', value: { service: index.services.map((name) => ({ name })) } };
      break;
    case 'fileByFilename':
      body = files(index.fileByName(ask.value), `file ${JSON.stringify(ask.value)}`);
      break;
    case 'fileContainingSymbol':
      body = files(index.fileContainingSymbol(ask.value), `symbol ${JSON.stringify(ask.value)}`);
      break;
    case 'fileContainingExtension': {
      const ext = index.extensionsOf(ask.value.containingType).find((x) => x.number === ask.value.extensionNumber);
      body = files(ext ? index.fileContainingSymbol(ext.typeName) : undefined, `extension ${ask.value.extensionNumber} of ${JSON.stringify(ask.value.containingType)}`);
      break;
    }
    case 'allExtensionNumbersOfType':
      body = index.message(ask.value)
        ? { case: 'allExtensionNumbersResponse', value: { baseTypeName: ask.value, extensionNumber: index.extensionsOf(ask.value).map((x) => x.number) } }
        : { case: 'errorResponse', value: { errorCode: NOT_FOUND, errorMessage: `type ${JSON.stringify(ask.value)} not found` } };
      break;
    default:
      body = { case: 'errorResponse', value: { errorCode: INVALID_ARGUMENT, errorMessage: 'empty reflection request' } };
  }
  return create(ServerReflectionResponseSchema, { validHost: req.host, originalRequest: req, messageResponse: body });
}

/**
 * `grpc.reflection.v1.ServerReflection` over connect-node (gRPC on HTTP/2): grpcurl, buf curl,
 * Postman and ghz discover the port's services without .proto files. Each request of the bidi
 * stream gets one answer, in order.
 */
export function createReflectionService(index: DescriptorIndex): ServiceImpl<typeof ServerReflection> {
  return {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) yield answerReflection(index, req);
    },
  };
}

/**
 * The same answers under the older `grpc.reflection.v1alpha` name, which older tools (and
 * grpcurl's fallback) ask for. The two versions share field numbers, so messages convert through
 * their binary encoding.
 */
export function createReflectionServiceV1Alpha(index: DescriptorIndex): ServiceImpl<typeof ServerReflectionV1Alpha> {
  return {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        const v1 = fromBinary(ServerReflectionRequestSchema, toBinary(V1AlphaRequestSchema, req));
        yield fromBinary(V1AlphaResponseSchema, toBinary(ServerReflectionResponseSchema, answerReflection(index, v1)));
      }
    },
  };
}

export { ServerReflection, ServerReflectionV1Alpha };
