import { toBinary, type DescFile, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';

/**
 * The shape `@grpc/reflection` reads: it only looks at each entry's `fileDescriptorProtos`
 * (serialized FileDescriptorProto). Built from protobuf-es descriptors so reflection needs no
 * .proto files or proto-loader at run time.
 */
export type ReflectionPackage = Record<string, { format: string; fileDescriptorProtos: Buffer[] }>;

function collectFiles(file: DescFile, into: Map<string, DescFile>): void {
  if (into.has(file.name)) return;
  into.set(file.name, file);
  for (const dep of file.dependencies) collectFiles(dep, into);
}

/** Serialized descriptors of the services' files and all their transitive imports. */
export function reflectionPackageFor(services: readonly DescService[]): ReflectionPackage {
  const files = new Map<string, DescFile>();
  for (const s of services) collectFiles(s.file, files);
  const protos = [...files.values()].map((f) => Buffer.from(toBinary(FileDescriptorProtoSchema, f.proto)));
  return Object.fromEntries(
    services.map((s) => [s.typeName, { format: 'Protocol Buffer 3 FileDescriptorProto', fileDescriptorProtos: protos }]),
  );
}
