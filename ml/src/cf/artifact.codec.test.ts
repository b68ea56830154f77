import { describe, expect, it } from 'vitest';
import { ArtifactFormatError, decodeArtifact, encodeArtifact } from './artifact.codec.js';

describe('artifact codec', () => {
  const meta = {
    algorithm: 'als',
    numUsers: 2,
    numItems: 3,
    userIds: ['a', 'b'],
    itemIds: ['x', 'y', 'z'],
    params: { factors: 2 },
  };

  it('round-trips the header and every array bit for bit, also through base64', () => {
    const f32 = Float32Array.from([0.1, -2.5, Number.MIN_VALUE, 1e30, 3]);
    const i32 = Int32Array.from([0, -7, 2147483647]);
    const f64 = Float64Array.from([Math.PI]);
    const buf = encodeArtifact(meta, { f32, i32, f64 });
    const { header, arrays } = decodeArtifact(Buffer.from(buf.toString('base64'), 'base64'));
    expect(header).toMatchObject({ ...meta, version: 1 });
    expect(arrays.get('f32')).toEqual(f32);
    expect(arrays.get('i32')).toEqual(i32);
    expect(arrays.get('f64')).toEqual(f64);
  });

  it('rejects bytes that are not an artifact, or are cut short', () => {
    expect(() => decodeArtifact(Buffer.from('hello world'))).toThrow(ArtifactFormatError);
    const buf = encodeArtifact(meta, { a: new Float32Array(100) });
    expect(() => decodeArtifact(buf.subarray(0, buf.length - 8))).toThrow(/truncated/);
  });
});
