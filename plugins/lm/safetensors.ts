// Safetensors reader/writer: u64 little-endian header length, a JSON header, then raw little-endian buffers.
// Reads F32/F16/BF16 (to float32) and writes F32; sharded folders go through model.safetensors.index.json.
import { readFileSync } from 'node:fs';
import { CrucibleError } from 'crucible-ml';
import { writeFileAtomic } from 'crucible-ml/util';

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function fail(file: string, message: string, hint?: string): never {
  throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, message, hint });
}

function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decode(file: string, name: string, entry: HeaderEntry, bytes: Buffer): Float32Array {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count);
  switch (entry.dtype) {
    case 'F32':
      if (bytes.length !== count * 4) break;
      // Copy through a Uint8Array view so an unaligned offset in the file does not matter.
      new Uint8Array(out.buffer).set(bytes);
      return out;
    case 'F16':
      if (bytes.length !== count * 2) break;
      for (let i = 0; i < count; i++) out[i] = f16ToF32(bytes.readUInt16LE(i * 2));
      return out;
    case 'BF16': {
      if (bytes.length !== count * 2) break;
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u32[i] = bytes.readUInt16LE(i * 2) << 16;
      return out;
    }
    case 'F64':
      if (bytes.length !== count * 8) break;
      for (let i = 0; i < count; i++) out[i] = bytes.readDoubleLE(i * 8);
      return out;
    default:
      fail(file, `tensor "${name}" has dtype ${entry.dtype}`, 'only F32, F16, BF16 and F64 weights can be read');
  }
  return fail(file, `tensor "${name}": ${bytes.length} bytes do not match shape [${entry.shape}] of ${entry.dtype}`);
}

/** Reads every floating-point tensor of one .safetensors file (others, e.g. int buffers, are skipped). */
export function readSafetensors(file: string): { tensors: Map<string, NamedTensor>; metadata: Record<string, string> } {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    return fail(file, `cannot read: ${(err as Error).message}`);
  }
  if (buf.length < 8) fail(file, 'file too short for a safetensors header');
  const headerLen = Number(buf.readBigUInt64LE(0));
  if (headerLen <= 0 || 8 + headerLen > buf.length) fail(file, `bad header length ${headerLen}`, 'is this a safetensors file?');
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8'));
  } catch (err) {
    return fail(file, `header is not JSON: ${(err as Error).message}`);
  }
  const base = 8 + headerLen;
  const tensors = new Map<string, NamedTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = raw as Record<string, string>;
      continue;
    }
    const entry = raw as HeaderEntry;
    if (!['F32', 'F16', 'BF16', 'F64'].includes(entry.dtype)) continue;
    const [start, end] = entry.data_offsets;
    if (base + end > buf.length || start > end) fail(file, `tensor "${name}" points outside the file`);
    tensors.set(name, { shape: entry.shape, data: decode(file, name, entry, buf.subarray(base + start, base + end)) });
  }
  return { tensors, metadata };
}

/** Serializes tensors as F32 safetensors (names sorted, header padded to 8 bytes as the reference writer does). */
export function encodeSafetensors(tensors: Map<string, NamedTensor> | Record<string, NamedTensor>, metadata: Record<string, string> = { format: 'pt' }): Buffer {
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of entries) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new CrucibleError('CRUCIBLE_E_MODEL', `tensor "${name}": ${t.data.length} values for shape [${t.shape}]`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  let pos = 8 + json.length;
  for (const [, t] of entries) {
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, pos);
    pos += t.data.byteLength;
  }
  return out;
}

export function writeSafetensors(file: string, tensors: Map<string, NamedTensor> | Record<string, NamedTensor>, metadata?: Record<string, string>): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}
