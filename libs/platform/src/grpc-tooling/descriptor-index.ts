import { toBinary, type DescExtension, type DescFile, type DescMessage, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';

/**
 * What server reflection answers from: the files that define the served services (and their
 * transitive imports), each symbol's defining file, and the served service names — built once
 * from protobuf-es descriptors, so reflection needs no .proto files at run time.
 */
export interface DescriptorIndex {
  /** Fully qualified names of the services actually served, sorted (reflection's `list`). */
  readonly services: readonly string[];
  /** The file with this name and its transitive imports, serialized, the file first; undefined if unknown. */
  fileByName(name: string): Uint8Array[] | undefined;
  /** The file defining a symbol (message, enum, service, method, field, enum value, extension), with imports. */
  fileContainingSymbol(symbol: string): Uint8Array[] | undefined;
  /** The message type with this name, for extension queries. */
  message(typeName: string): DescMessage | undefined;
  /** Extensions declared for a message type in the indexed files. */
  extensionsOf(typeName: string): readonly DescExtension[];
}

function collectFiles(file: DescFile, into: Map<string, DescFile>): void {
  if (into.has(file.name)) return;
  into.set(file.name, file);
  for (const dep of file.dependencies) collectFiles(dep, into);
}

function indexMessage(m: DescMessage, symbols: Map<string, DescFile>, messages: Map<string, DescMessage>, extensions: DescExtension[]): void {
  symbols.set(m.typeName, m.file);
  messages.set(m.typeName, m);
  for (const f of m.fields) symbols.set(`${m.typeName}.${f.name}`, m.file);
  for (const o of m.oneofs) symbols.set(`${m.typeName}.${o.name}`, m.file);
  for (const n of m.nestedMessages) indexMessage(n, symbols, messages, extensions);
  for (const e of m.nestedEnums) {
    symbols.set(e.typeName, e.file);
    for (const v of e.values) symbols.set(`${m.typeName}.${v.name}`, e.file);
  }
  for (const x of m.nestedExtensions) {
    symbols.set(x.typeName, x.file);
    extensions.push(x);
  }
}

/** Indexes `services` (the ones a port serves) for {@link DescriptorIndex} lookups. */
export function createDescriptorIndex(services: readonly DescService[]): DescriptorIndex {
  const files = new Map<string, DescFile>();
  for (const s of services) collectFiles(s.file, files);
  const symbols = new Map<string, DescFile>();
  const messages = new Map<string, DescMessage>();
  const extensions: DescExtension[] = [];
  for (const file of files.values()) {
    for (const m of file.messages) indexMessage(m, symbols, messages, extensions);
    for (const e of file.enums) {
      symbols.set(e.typeName, file);
      // Enum values are scoped to the enum's parent (the package here), as in protoc.
      const scope = file.proto.package ? `${file.proto.package}.` : '';
      for (const v of e.values) symbols.set(`${scope}${v.name}`, file);
    }
    for (const x of file.extensions) {
      symbols.set(x.typeName, file);
      extensions.push(x);
    }
    for (const s of file.services) {
      symbols.set(s.typeName, file);
      for (const m of s.methods) symbols.set(`${s.typeName}.${m.name}`, file);
    }
  }
  // protobuf-es names files without ".proto"; reflection clients ask by the full file name.
  const byFileName = new Map([...files.values()].map((f) => [f.proto.name, f]));
  const encoded = new Map<string, Uint8Array>();
  const encode = (f: DescFile): Uint8Array => {
    let bytes = encoded.get(f.name);
    if (!bytes) {
      bytes = toBinary(FileDescriptorProtoSchema, f.proto);
      encoded.set(f.name, bytes);
    }
    return bytes;
  };
  const withImports = (file: DescFile): Uint8Array[] => {
    const closure = new Map<string, DescFile>();
    collectFiles(file, closure);
    return [...closure.values()].map(encode);
  };
  return {
    services: [...new Set(services.map((s) => s.typeName))].sort(),
    fileByName: (name) => {
      const f = byFileName.get(name);
      return f ? withImports(f) : undefined;
    },
    fileContainingSymbol: (symbol) => {
      const f = symbols.get(symbol.replace(/^\./, ''));
      return f ? withImports(f) : undefined;
    },
    message: (typeName) => messages.get(typeName.replace(/^\./, '')),
    extensionsOf: (typeName) => extensions.filter((x) => x.extendee.typeName === typeName.replace(/^\./, '')),
  };
}
