/**
 * A trained model as one compact binary artifact, to be stored as a row (bytea, or base64 in
 * JSON): magic "RCM1", a uint32 header length, a JSON header, then the typed arrays' raw bytes,
 * each 8-byte aligned. Floats are stored bit for bit, so a loaded model scores exactly as the
 * trained one did.
 */

const MAGIC = 'RCM1';
const FORMAT_VERSION = 1;

export type ArtifactArray = Float32Array | Float64Array | Int32Array | Uint8Array;
type ArrayType = 'float32' | 'float64' | 'int32' | 'uint8';

export interface ArtifactHeader {
  readonly version: number;
  readonly algorithm: string;
  readonly numUsers: number;
  readonly numItems: number;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  /** Hyperparameters and anything else the model needs to score (JSON-safe). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly arrays: readonly { name: string; type: ArrayType; length: number }[];
}

export type ArtifactMeta = Omit<ArtifactHeader, 'version' | 'arrays'>;

export class ArtifactFormatError extends Error {
  readonly code = 'ArtifactFormat';
  constructor(detail: string) {
    super(`not a recommender artifact: ${detail}`);
    this.name = 'ArtifactFormatError';
  }
}

function typeOf(a: ArtifactArray): ArrayType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'uint8';
}

const BYTES: Record<ArrayType, number> = { float32: 4, float64: 8, int32: 4, uint8: 1 };

const align8 = (n: number): number => (n + 7) & ~7;

export function encodeArtifact(meta: ArtifactMeta, arrays: Record<string, ArtifactArray>): Buffer {
  const entries = Object.entries(arrays);
  const header: ArtifactHeader = {
    ...meta,
    version: FORMAT_VERSION,
    arrays: entries.map(([name, a]) => ({ name, type: typeOf(a), length: a.length })),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = align8(8 + json.length);
  let size = start;
  for (const [, a] of entries) size += align8(a.byteLength);
  const out = Buffer.alloc(size);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  let offset = start;
  for (const [, a] of entries) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += align8(a.byteLength);
  }
  return out;
}

/** The header alone, without copying the arrays (to dispatch on the algorithm, say). */
export function readArtifactHeader(buf: Uint8Array): ArtifactHeader {
  return parseHeader(asBuffer(buf)).header;
}

function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

function parseHeader(b: Buffer): { header: ArtifactHeader; jsonLength: number } {
  if (b.length < 8 || b.toString('latin1', 0, 4) !== MAGIC) {
    throw new ArtifactFormatError('bad magic');
  }
  const jsonLength = b.readUInt32LE(4);
  if (8 + jsonLength > b.length) throw new ArtifactFormatError('truncated header');
  let header: ArtifactHeader;
  try {
    header = JSON.parse(b.toString('utf8', 8, 8 + jsonLength)) as ArtifactHeader;
  } catch {
    throw new ArtifactFormatError('header is not JSON');
  }
  if (header.version !== FORMAT_VERSION) {
    throw new ArtifactFormatError(`unsupported version ${String(header.version)}`);
  }
  return { header, jsonLength };
}

export function decodeArtifact(buf: Uint8Array): {
  header: ArtifactHeader;
  arrays: Map<string, ArtifactArray>;
} {
  const b = asBuffer(buf);
  const { header, jsonLength } = parseHeader(b);
  const arrays = new Map<string, ArtifactArray>();
  let offset = align8(8 + jsonLength);
  for (const { name, type, length } of header.arrays) {
    const bytes = length * BYTES[type];
    if (offset + bytes > b.length) throw new ArtifactFormatError(`truncated array ${name}`);
    // Copy into a fresh buffer: the source may sit at any offset of a pooled Buffer.
    const copy = new Uint8Array(bytes);
    copy.set(b.subarray(offset, offset + bytes));
    const a =
      type === 'float32'
        ? new Float32Array(copy.buffer)
        : type === 'float64'
          ? new Float64Array(copy.buffer)
          : type === 'int32'
            ? new Int32Array(copy.buffer)
            : copy;
    arrays.set(name, a);
    offset += align8(bytes);
  }
  return { header, arrays };
}

/** The named array of a decoded artifact, of the expected type. */
export function requireArray<T extends ArtifactArray>(
  arrays: Map<string, ArtifactArray>,
  name: string,
  ctor: { new (n: number): T },
): T {
  const a = arrays.get(name);
  if (!(a instanceof ctor)) throw new ArtifactFormatError(`missing ${name}`);
  return a;
}
