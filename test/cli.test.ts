import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeImage, readImage, writeNpy, fourier, cartesianMask } from '../src/index.js';
import { cliBuilt, runCli } from './sweepHelpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ucs-cli-'));
const img = join(dir, 'tiny.png');
const h = 32;
const w = 32;
const data = new Float64Array(h * w).map((_, i) => 0.5 + 0.3 * Math.sin(Math.floor(i / w) / 4) * Math.cos((i % w) / 5));
writeImage(img, data, [h, w]);

describe('untrained-cs CLI', () => {
  it('reconstruct end to end on a tiny image, text and JSON', () => {
    cliBuilt();
    const out = join(dir, 'rec.png');
    const r = runCli(['reconstruct', '--image', img, '--operator', 'mask', '--rate', '0.5', '--method', 'tv', '--lambda', '0.002', '--iterations', '200', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tv: PSNR \d+\.\d+ dB/);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(join(dir, 'rec-error.png'))).toBe(true);
    expect(readImage(out).shape).toEqual([h, w]);
    const j = runCli(['reconstruct', '--image', img, '--operator', 'fourier', '--acceleration', '2', '--method', 'deep-decoder', '--iterations', '40', '--channels', '8', '--out', join(dir, 'dd.png'), '--json']);
    expect(j.code).toBe(0);
    const parsed = JSON.parse(j.stdout);
    expect(parsed.method).toBe('deep-decoder');
    expect(parsed.result.iterations).toBe(40);
    expect(typeof parsed.psnr).toBe('number');
  });

  it('sgld writes an uncertainty map; measurements can come from .npy', () => {
    cliBuilt();
    const r = runCli(['reconstruct', '--image', img, '--operator', 'mask', '--rate', '0.5', '--method', 'sgld', '--iterations', '60', '--channels', '8', '--out', join(dir, 's.png'), '--quiet']);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 's-uncertainty.png'))).toBe(true);
    const mask = cartesianMask({ shape: [h, w], acceleration: 2, seed: 0 });
    const y = fourier({ shape: [h, w], mask }).forward(data);
    const npy = join(dir, 'y.npy');
    writeNpy(npy, y, [y.length / 2, 2], { dtype: 'complex128' });
    const m = runCli(['reconstruct', '--image', img, '--operator', 'fourier', '--acceleration', '2', '--measurements', npy, '--method', 'least-squares', '--out', join(dir, 'ls.png')]);
    expect(m.code).toBe(0);
  });

  it('compare, info and kernel', () => {
    cliBuilt();
    const c = runCli(['compare', '--image', img, '--operator', 'structured', '--rate', '0.5', '--methods', 'lasso,tv,least-squares', '--iterations', '100', '--out', join(dir, 'cmp.svg')]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/lasso\s+\d+\.\d+/);
    expect(existsSync(join(dir, 'cmp.svg'))).toBe(true);
    const i = runCli(['info']);
    expect(i.stdout).toMatch(/engine: (native-(avx512|avx2|generic)|wasm-simd128) kernels, [12] thread/);
    expect(i.stdout).toMatch(/native: (available \((avx512|avx2|generic)\)|unavailable: .+)/);
    expect(i.stdout).toMatch(/wasm: +available \(SIMD128\)/);
    // UNTRAINED_CS_KERNELS pins an engine; UNTRAINED_CS_THREADS the threads per fit.
    const pinned = runCli(['info'], 120_000, { UNTRAINED_CS_KERNELS: 'wasm', UNTRAINED_CS_THREADS: '1' });
    expect(pinned.stdout).toMatch(/engine: wasm-simd128 kernels, 1 thread/);
    const k = runCli(['kernel', '--depths', '1,2', '--out', join(dir, 'k.svg')]);
    expect(k.code).toBe(0);
    expect(existsSync(join(dir, 'k.svg'))).toBe(true);
  });

  it.each([
    [['reconstruct', '--image', img, '--method', 'magic'], /--method.*expected one of/],
    [['reconstruct', '--image', img, '--rate', '-1'], /--rate.*expected a number >= 0/],
    [['reconstruct', '--image', join(dir, 'missing.png')], /--image' expected an existing image file/],
    [['reconstruct', '--image', img, '--measurements', join(dir, 'missing.npy')], /--measurements' expected an existing \.npy file/],
    [['reconstruct', '--image', img, '--operator', 'fourier', '--rate', '0.5', '--acceleration', '0.5'], /--acceleration/],
    [['reconstruct', '--image', img, '--iterations', '2.5'], /--iterations.*integer/],
    [['reconstruct', '--image', img, '--tv-penalty', '-1'], /--tv-penalty.*>= 0/],
    [['reconstruct', '--image', img, '--method', 'lasso', '--tv-penalty', '0.1'], /--tv-penalty' expected a generator method/],
    [['compare', '--image', img, '--methods', 'lasso,nope'], /--methods/],
    [['frobnicate'], /unknown command/],
  ])('bad arguments %#: a clear message, exit code 2, no stack trace', (args, message) => {
    cliBuilt();
    const r = runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    // the program's name once, no raw errno text
    expect(r.stderr).not.toMatch(/untrained-cs: untrained-cs/);
    expect(r.stderr).not.toMatch(/ENOENT/);
  });
});
