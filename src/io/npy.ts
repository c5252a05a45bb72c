import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, NotSupportedError, ShapeMismatchError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import { checkOneOf, checkOptions, checkShape, toFloat64, type NumericArray } from '../core/validate.js';

/**
 * NumPy .npy (format 1.0-3.0), little-endian, C order. Complex arrays come back as interleaved
 * float64 with a trailing dimension 2 (the library's complex convention), and go out the same way.
 */
export type NpyDtype = 'float32' | 'float64' | 'complex64' | 'complex128' | 'uint8' | 'int16' | 'int32' | 'int64';

/**
 * A NumPy array read from .npy: its data, shape and dtype (complex data carries a trailing
 * dimension 2).
 */
export interface NpyArray {
  data: Float64Array;
  shape: number[];
  dtype: NpyDtype;
}

const DESCR: Record<string, { dtype: NpyDtype; bytes: number }> = {
  '<f4': { dtype: 'float32', bytes: 4 },
  '<f8': { dtype: 'float64', bytes: 8 },
  '<c8': { dtype: 'complex64', bytes: 8 },
  '<c16': { dtype: 'complex128', bytes: 16 },
  '|u1': { dtype: 'uint8', bytes: 1 },
  '<i2': { dtype: 'int16', bytes: 2 },
  '<i4': { dtype: 'int32', bytes: 4 },
  '<i8': { dtype: 'int64', bytes: 8 },
};

/** Parses the bytes of a .npy file (float32/64, complex64/128, integer types). */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  const fn = 'readNpy';
  const magic = Buffer.from(bytes.subarray(0, 6)).toString('latin1');
  if (magic !== '\x93NUMPY') throw new InvalidArgumentError(fn, 'file', 'a .npy file (magic \\x93NUMPY)', 'other bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = Buffer.from(bytes.subarray(start, start + headerLen)).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new InvalidArgumentError(fn, 'file', 'a .npy header with descr, fortran_order and shape', header.trim());
  }
  const kind = DESCR[descr === '<u1' ? '|u1' : descr];
  if (!kind) throw new NotSupportedError(fn, 'dtype', `one of ${Object.keys(DESCR).join(', ')}`, descr);
  if (fortran === 'True') throw new NotSupportedError(fn, 'fortran_order', 'C order (np.ascontiguousarray before np.save)', 'Fortran order');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const count = sizeOf(shape);
  const offset = start + headerLen;
  if (bytes.byteLength - offset < count * kind.bytes) {
    throw new ShapeMismatchError(fn, 'file', `${count * kind.bytes} data bytes for shape (${shape.join(', ')})`, `${bytes.byteLength - offset} bytes`);
  }
  const complex = kind.dtype === 'complex64' || kind.dtype === 'complex128';
  const values = complex ? 2 * count : count;
  const data = new Float64Array(values);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, values * (complex ? kind.bytes / 2 : kind.bytes));
  for (let i = 0; i < values; i++) {
    switch (kind.dtype) {
      case 'float32':
      case 'complex64':
        data[i] = dv.getFloat32(4 * i, true);
        break;
      case 'float64':
      case 'complex128':
        data[i] = dv.getFloat64(8 * i, true);
        break;
      case 'uint8':
        data[i] = dv.getUint8(i);
        break;
      case 'int16':
        data[i] = dv.getInt16(2 * i, true);
        break;
      case 'int32':
        data[i] = dv.getInt32(4 * i, true);
        break;
      case 'int64':
        data[i] = Number(dv.getBigInt64(8 * i, true));
        break;
    }
  }
  return { data, shape: complex ? [...shape, 2] : shape, dtype: kind.dtype };
}

/** Reads a .npy file (float32/64, complex64/128, integer types). */
export function readNpy(path: string): NpyArray {
  if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('readNpy', 'path', 'a file path', path);
  return decodeNpy(readFileSync(path));
}

/** The bytes of a .npy file holding `data` with `shape` (float64 unless `dtype` says otherwise). */
export function encodeNpy(data: NumericArray, shape: readonly number[], options: { dtype?: NpyDtype } = {}): Buffer {
  const fn = 'writeNpy';
  checkOptions(fn, options, ['dtype']);
  const s = checkShape(fn, 'shape', shape);
  const dtype = checkOneOf(fn, 'dtype', options.dtype ?? 'float64', ['float32', 'float64', 'complex64', 'complex128'] as const);
  const values = toFloat64(fn, 'data', data, sizeOf(s), { allowNonFinite: true });
  const complex = dtype === 'complex64' || dtype === 'complex128';
  if (complex && s[s.length - 1] !== 2) {
    throw new ShapeMismatchError(fn, 'shape', 'a trailing dimension 2 (interleaved re, im) for a complex dtype', s);
  }
  const fileShape = complex ? s.slice(0, -1) : s;
  const descr = { float32: '<f4', float64: '<f8', complex64: '<c8', complex128: '<c16' }[dtype];
  const shapeText = fileShape.length === 1 ? `(${fileShape[0]},)` : `(${fileShape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so that the data starts on a 64-byte boundary, ending with a newline.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const single = dtype === 'float32' || dtype === 'complex64';
  const body = Buffer.alloc(values.length * (single ? 4 : 8));
  for (let i = 0; i < values.length; i++) {
    if (single) body.writeFloatLE(values[i]!, 4 * i);
    else body.writeDoubleLE(values[i]!, 8 * i);
  }
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

/** Writes `data` with `shape` as .npy; complex dtypes take interleaved data with trailing dim 2. */
export function writeNpy(path: string, data: NumericArray, shape: readonly number[], options: { dtype?: NpyDtype } = {}): void {
  if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('writeNpy', 'path', 'a file path', path);
  writeFileSync(path, encodeNpy(data, shape, options));
}
