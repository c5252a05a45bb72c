/*
 * Native compute kernels of untrained-cs (optional; the WebAssembly SIMD kernels are the
 * automatic fallback). Built at install time by native/build.mjs with the machine's C compiler
 * against Node's own headers (Node-API, so one binary serves every Node version >= 18).
 *
 * GEMM follows the GotoBLAS/BLIS blocking: op(B) packed in KC x NC blocks of NR-wide panels,
 * op(A) in MC x KC blocks of MR-high panels, an MR x NR register tile in the micro-kernel. The
 * micro-kernel is chosen at load time from what the CPU supports (AVX-512F, AVX2+FMA, generic C)
 * so one build runs on any x86-64 machine. Transposes are absorbed by the packing, so all four
 * op combinations share one path. Elementwise passes (batch-norm sums, affine, ReLU, bilinear x2)
 * are GCC vector-type loops, cloned per ISA where the compiler supports it. FFTs (fft.c) serve
 * the Fourier operators.
 *
 * Two threads: the caller plus one helper thread that spins briefly, then sleeps on a condition
 * variable. The thread count is an argument of every call, so each Node worker keeps its own
 * setting; a call made while the helper is busy with another worker's job runs on one thread.
 *
 * Files: pool.c (helper thread), gemm.c, passes.c (elementwise, im2col, resize), fft.c, and
 * this one, the Node-API glue.
 */
#include <node_api.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv3x3.h"
#include "winograd.h"
#include "fft_fast.h"
#include "gaussian.h"
#include "ucs_native.h"

/* ---------------------------------------------------------------- Node-API glue */

#define MAX_ARGS 24

typedef struct {
  napi_env env;
  napi_value argv[MAX_ARGS];
  size_t argc;
  float *f;
  size_t floats;
  int ok;
} Call;

static void fail(Call *c, const char *msg) {
  if (c->ok) napi_throw_type_error(c->env, "ERR_UNTRAINED_CS_NATIVE", msg);
  c->ok = 0;
}

static int begin(Call *c, napi_env env, napi_callback_info info, size_t want) {
  c->env = env;
  c->argc = MAX_ARGS;
  c->ok = 1;
  napi_get_cb_info(env, info, &c->argc, c->argv, NULL, NULL);
  if (c->argc < want) {
    fail(c, "untrained-cs native kernel: too few arguments");
    return 0;
  }
  napi_typedarray_type type;
  void *data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, c->argv[0], &type, &c->floats, &data, &ab, &off) != napi_ok || type != napi_float32_array) {
    fail(c, "untrained-cs native kernel: the first argument must be a Float32Array");
    return 0;
  }
  c->f = data;
  return 1;
}

static long arg_long(Call *c, size_t i) {
  int64_t v = 0;
  if (c->ok && napi_get_value_int64(c->env, c->argv[i], &v) != napi_ok) fail(c, "untrained-cs native kernel: expected a number");
  return (long)v;
}

static double arg_num(Call *c, size_t i) {
  double v = 0;
  if (c->ok && napi_get_value_double(c->env, c->argv[i], &v) != napi_ok) fail(c, "untrained-cs native kernel: expected a number");
  return v;
}

static int arg_bool(Call *c, size_t i) {
  bool v = false;
  if (c->ok && napi_get_value_bool(c->env, c->argv[i], &v) != napi_ok) fail(c, "untrained-cs native kernel: expected a boolean");
  return v;
}

/* Offset range [off, off + len) must lie inside the array. */
static float *span(Call *c, long off, long len) {
  if (!c->ok) return NULL;
  if (off < 0 || len < 0 || (size_t)off + (size_t)len > c->floats) {
    fail(c, "untrained-cs native kernel: offset range outside the array");
    return NULL;
  }
  return c->f + off;
}

/*
 * A typed array argument of type `want` holding at least `len` elements (NULL after a thrown
 * error with message `msg`); its element count goes to *count when count is not NULL.
 */
static void *typed_arg(Call *c, size_t i, napi_typedarray_type want, size_t len, size_t *count, const char *msg) {
  if (!c->ok) return NULL;
  napi_typedarray_type type;
  size_t n = 0, off;
  void *data = NULL;
  napi_value ab;
  if (napi_get_typedarray_info(c->env, c->argv[i], &type, &n, &data, &ab, &off) != napi_ok || type != want || n < len) {
    fail(c, msg);
    return NULL;
  }
  if (count) *count = n;
  return data;
}

static napi_value number(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

/* gemm(f, transA, transB, M, N, K, aOff, lda, bOff, ldb, cOff, ldc, accumulate, threads) */
static napi_value js_gemm(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 14)) return NULL;
  Gemm g = {0};
  g.ta = arg_bool(&c, 1);
  g.tb = arg_bool(&c, 2);
  g.M = arg_long(&c, 3);
  g.N = arg_long(&c, 4);
  g.K = arg_long(&c, 5);
  const long aOff = arg_long(&c, 6), bOff = arg_long(&c, 8), cOff = arg_long(&c, 10);
  g.lda = arg_long(&c, 7);
  g.ldb = arg_long(&c, 9);
  g.ldc = arg_long(&c, 11);
  g.acc = arg_bool(&c, 12);
  const int threads = (int)arg_long(&c, 13);
  if (!c.ok) return NULL;
  if (g.M <= 0 || g.N <= 0) return NULL;
  /* Extent of each operand: last element (rows - 1) * ld + cols. */
  const long aRows = g.ta ? g.K : g.M, aCols = g.ta ? g.M : g.K;
  const long bRows = g.tb ? g.N : g.K, bCols = g.tb ? g.K : g.N;
  g.a = g.K > 0 ? span(&c, aOff, (aRows - 1) * g.lda + aCols) : c.f;
  g.b = g.K > 0 ? span(&c, bOff, (bRows - 1) * g.ldb + bCols) : c.f;
  g.c = span(&c, cOff, (g.M - 1) * g.ldc + g.N);
  if (!c.ok) return NULL;
  ucs_gemm(&g, threads);
  return NULL;
}

/*
 * gemmIm2col(f, ta, tb, M, N, K, aOff, lda, cOff, ldc, acc, threads,
 *            c, h, w, kh, kw, stride, reflect, wo, xOff, row0)
 * C (+)= op(A) op(B) with B the im2col matrix of the convolution input at xOff for output rows
 * [row0, row0 + rows) (tb = 0: B is (c kh kw) x (rows wo); tb = 1: op(B) is its transpose).
 */
static napi_value js_gemm_im2col(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 22)) return NULL;
  Gemm g = {0};
  ConvSrc src = {0};
  g.ta = arg_bool(&c, 1);
  g.tb = arg_bool(&c, 2);
  g.M = arg_long(&c, 3);
  g.N = arg_long(&c, 4);
  g.K = arg_long(&c, 5);
  const long aOff = arg_long(&c, 6), cOff = arg_long(&c, 8);
  g.lda = arg_long(&c, 7);
  g.ldc = arg_long(&c, 9);
  g.acc = arg_bool(&c, 10);
  const int threads = (int)arg_long(&c, 11);
  src.c = arg_long(&c, 12);
  src.h = arg_long(&c, 13);
  src.w = arg_long(&c, 14);
  src.kh = arg_long(&c, 15);
  src.kw = arg_long(&c, 16);
  src.stride = arg_long(&c, 17);
  src.reflect = arg_bool(&c, 18);
  src.wo = arg_long(&c, 19);
  const long xOff = arg_long(&c, 20);
  src.row0 = arg_long(&c, 21);
  if (!c.ok) return NULL;
  if (src.c < 1 || src.h < 1 || src.w < 1 || src.kh < 1 || src.kw < 1 || src.kh % 2 == 0 || src.kw % 2 == 0 || src.stride < 1 || src.row0 < 0) {
    fail(&c, "untrained-cs native kernel: gemmIm2col needs positive sizes and odd kernels");
    return NULL;
  }
  if (src.reflect && (src.kh / 2 >= src.h || src.kw / 2 >= src.w) && (src.kh > 1 || src.kw > 1)) {
    fail(&c, "untrained-cs native kernel: reflection padding must be smaller than the input");
    return NULL;
  }
  const long ho = (src.h + 2 * (src.kh / 2) - src.kh) / src.stride + 1;
  const long wo = (src.w + 2 * (src.kw / 2) - src.kw) / src.stride + 1;
  const long rowsOfB = src.c * src.kh * src.kw, pixels = g.tb ? g.K : g.N;
  if (src.wo != wo || (g.tb ? g.N : g.K) != rowsOfB || pixels % wo != 0 || src.row0 + pixels / wo > ho) {
    fail(&c, "untrained-cs native kernel: gemmIm2col sizes do not match the convolution geometry");
    return NULL;
  }
  if (g.M <= 0 || g.N <= 0) return NULL;
  const long aRows = g.ta ? g.K : g.M, aCols = g.ta ? g.M : g.K;
  g.a = g.K > 0 ? span(&c, aOff, (aRows - 1) * g.lda + aCols) : c.f;
  g.c = span(&c, cOff, (g.M - 1) * g.ldc + g.N);
  src.x = span(&c, xOff, src.c * src.h * src.w);
  if (!c.ok) return NULL;
  g.conv = &src;
  ucs_gemm(&g, threads);
  return NULL;
}

/* Whole layers need both threads only when there is enough work: ~16 K values. */
static void run_layer(LayerJob *j, long work, int threads) {
  run_parts(layer_part, j, work >= (1L << 14) && j->channels > 1 ? threads : 1);
}

/* batchNormForward(f, x, y, channels, plane, scaleOff, shiftOff, stateOff, eps, relu, threads) */
static napi_value js_bn_forward(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 11)) return NULL;
  LayerJob j = {.op = LAYER_BN_FWD};
  const long x = arg_long(&c, 1), y = arg_long(&c, 2);
  j.channels = arg_long(&c, 3);
  j.plane = arg_long(&c, 4);
  const long scale = arg_long(&c, 5), shift = arg_long(&c, 6), state = arg_long(&c, 7);
  j.eps = arg_num(&c, 8);
  j.relu = arg_bool(&c, 9);
  const int threads = (int)arg_long(&c, 10);
  if (c.ok && (j.channels < 1 || j.plane < 1)) fail(&c, "untrained-cs native kernel: batchNormForward needs channels, plane >= 1");
  j.x = span(&c, x, j.channels * j.plane);
  j.y = span(&c, y, j.channels * j.plane);
  j.scale = span(&c, scale, j.channels);
  j.shift = span(&c, shift, j.channels);
  j.state = span(&c, state, 2 * j.channels);
  if (!c.ok) return NULL;
  run_layer(&j, j.channels * j.plane, threads);
  return NULL;
}

/* batchNormBackward(f, x, dy, dx (-1: none), channels, plane, scaleOff, stateOff, scaleGradOff,
 *                   shiftGradOff, accumulate, relu, threads) */
static napi_value js_bn_backward(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 13)) return NULL;
  LayerJob j = {.op = LAYER_BN_BWD};
  const long x = arg_long(&c, 1), dy = arg_long(&c, 2), dx = arg_long(&c, 3);
  j.channels = arg_long(&c, 4);
  j.plane = arg_long(&c, 5);
  const long scale = arg_long(&c, 6), state = arg_long(&c, 7), scaleGrad = arg_long(&c, 8), shiftGrad = arg_long(&c, 9);
  j.acc = arg_bool(&c, 10);
  j.relu = arg_bool(&c, 11);
  const int threads = (int)arg_long(&c, 12);
  if (c.ok && (j.channels < 1 || j.plane < 1)) fail(&c, "untrained-cs native kernel: batchNormBackward needs channels, plane >= 1");
  const long n = j.channels * j.plane;
  j.x = span(&c, x, n);
  j.dy = span(&c, dy, n);
  j.dx = dx < 0 ? NULL : span(&c, dx, n);
  j.scale = span(&c, scale, j.channels);
  j.state = span(&c, state, 2 * j.channels);
  j.scaleGrad = span(&c, scaleGrad, j.channels);
  j.shiftGrad = span(&c, shiftGrad, j.channels);
  if (!c.ok) return NULL;
  run_layer(&j, n, threads);
  return NULL;
}

/* normHeadForward(f, x, out, channels, plane, outs, scaleOff, shiftOff, weightOff, stateOff, eps,
 *                 relu, scratchOff (-1: none; outs x plane for the second thread), threads) */
static napi_value js_norm_head_forward(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 14)) return NULL;
  NormHead h = {.backward = 0};
  const long x = arg_long(&c, 1), out = arg_long(&c, 2);
  h.channels = arg_long(&c, 3);
  h.plane = arg_long(&c, 4);
  h.outs = arg_long(&c, 5);
  const long scale = arg_long(&c, 6), shift = arg_long(&c, 7), weight = arg_long(&c, 8), state = arg_long(&c, 9);
  h.eps = arg_num(&c, 10);
  h.relu = arg_bool(&c, 11);
  const long scratch = arg_long(&c, 12);
  const int threads = (int)arg_long(&c, 13);
  if (c.ok && (h.channels < 1 || h.plane < 1 || h.outs < 1 || h.outs > NORM_HEAD_MAX_OUTS)) fail(&c, "untrained-cs native kernel: normHeadForward needs channels, plane >= 1 and 1 to 4 outputs");
  h.x = span(&c, x, h.channels * h.plane);
  h.out = span(&c, out, h.outs * h.plane);
  h.scale = span(&c, scale, h.channels);
  h.shift = span(&c, shift, h.channels);
  h.weight = span(&c, weight, h.outs * h.channels);
  h.state = span(&c, state, 2 * h.channels);
  h.partial = scratch < 0 ? NULL : span(&c, scratch, h.outs * h.plane);
  if (!c.ok) return NULL;
  ucs_norm_head(&h, threads);
  return NULL;
}

/* normHeadBackward(f, x, dout, dx (-1: none), channels, plane, outs, scaleOff, shiftOff, weightOff,
 *                  stateOff, scaleGradOff, shiftGradOff, weightGradOff, accumulate, relu, threads) */
static napi_value js_norm_head_backward(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 17)) return NULL;
  NormHead h = {.backward = 1};
  const long x = arg_long(&c, 1), dout = arg_long(&c, 2), dx = arg_long(&c, 3);
  h.channels = arg_long(&c, 4);
  h.plane = arg_long(&c, 5);
  h.outs = arg_long(&c, 6);
  const long scale = arg_long(&c, 7), shift = arg_long(&c, 8), weight = arg_long(&c, 9), state = arg_long(&c, 10);
  const long scaleGrad = arg_long(&c, 11), shiftGrad = arg_long(&c, 12), weightGrad = arg_long(&c, 13);
  h.acc = arg_bool(&c, 14);
  h.relu = arg_bool(&c, 15);
  const int threads = (int)arg_long(&c, 16);
  if (c.ok && (h.channels < 1 || h.plane < 1 || h.outs < 1 || h.outs > NORM_HEAD_MAX_OUTS)) fail(&c, "untrained-cs native kernel: normHeadBackward needs channels, plane >= 1 and 1 to 4 outputs");
  const long n = h.channels * h.plane;
  h.x = span(&c, x, n);
  h.dout = span(&c, dout, h.outs * h.plane);
  h.dx = dx < 0 ? NULL : span(&c, dx, n);
  h.scale = span(&c, scale, h.channels);
  h.shift = span(&c, shift, h.channels);
  h.weight = span(&c, weight, h.outs * h.channels);
  h.state = span(&c, state, 2 * h.channels);
  h.scaleGrad = span(&c, scaleGrad, h.channels);
  h.shiftGrad = span(&c, shiftGrad, h.channels);
  h.weightGrad = span(&c, weightGrad, h.outs * h.channels);
  /* optional 18th argument: a Float32Array of 4 x channels; the input gradient is deferred into it */
  if (c.argc > 17) {
    napi_valuetype t;
    napi_typeof(env, c.argv[17], &t);
    if (t != napi_undefined) h.coef = typed_arg(&c, 17, napi_float32_array, 4 * (size_t)h.channels, NULL, "untrained-cs native kernel: normHeadBackward's coefficients must be a Float32Array of 4 x channels");
  }
  if (!c.ok) return NULL;
  ucs_norm_head(&h, threads);
  return NULL;
}

/* normHeadApply(f, x, dout, dx, channels, plane, outs, weightOff, coef, accumulate, relu, threads):
 * the input gradient a normHeadBackward call deferred into coef */
static napi_value js_norm_head_apply(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 12)) return NULL;
  NormHead h = {.backward = 2};
  const long x = arg_long(&c, 1), dout = arg_long(&c, 2), dx = arg_long(&c, 3);
  h.channels = arg_long(&c, 4);
  h.plane = arg_long(&c, 5);
  h.outs = arg_long(&c, 6);
  const long weight = arg_long(&c, 7);
  h.acc = arg_bool(&c, 9);
  h.relu = arg_bool(&c, 10);
  const int threads = (int)arg_long(&c, 11);
  if (c.ok && (h.channels < 1 || h.plane < 1 || h.outs < 1 || h.outs > NORM_HEAD_MAX_OUTS)) fail(&c, "untrained-cs native kernel: normHeadApply needs channels, plane >= 1 and 1 to 4 outputs");
  h.coef = typed_arg(&c, 8, napi_float32_array, 4 * (size_t)(h.channels > 0 ? h.channels : 0), NULL, "untrained-cs native kernel: normHeadApply's coefficients must be a Float32Array of 4 x channels");
  h.x = span(&c, x, h.channels * h.plane);
  h.dout = span(&c, dout, h.outs * h.plane);
  h.dx = span(&c, dx, h.channels * h.plane);
  h.weight = span(&c, weight, h.outs * h.channels);
  if (!c.ok) return NULL;
  ucs_norm_head(&h, threads);
  return NULL;
}

/* conv1x1BackwardHead(f, M, K, P, w, x, dw, dx (-1: none), accumulate, threads, z, dout, outs, headWeightOff,
 * coef, relu): conv1x1Backward with dy the input gradient a normHeadBackward call deferred into coef
 * (z: the norm's input, M x P); false when out of memory (nothing written) */
static napi_value js_conv1x1_backward_head(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 16)) return NULL;
  const long M = arg_long(&c, 1), K = arg_long(&c, 2), P = arg_long(&c, 3);
  const long w = arg_long(&c, 4), x = arg_long(&c, 5), dw = arg_long(&c, 6), dx = arg_long(&c, 7);
  const int acc = arg_bool(&c, 8), threads = (int)arg_long(&c, 9);
  HeadGrad h = {.channels = M, .plane = P};
  const long z = arg_long(&c, 10), dout = arg_long(&c, 11);
  h.outs = arg_long(&c, 12);
  const long hw = arg_long(&c, 13);
  h.relu = arg_bool(&c, 15);
  if (c.ok && (M < 1 || K < 1 || P < 1 || h.outs < 1 || h.outs > NORM_HEAD_MAX_OUTS)) fail(&c, "untrained-cs native kernel: conv1x1BackwardHead needs M, K, P >= 1 and 1 to 4 head outputs");
  h.coef = typed_arg(&c, 14, napi_float32_array, 4 * (size_t)(M > 0 ? M : 0), NULL, "untrained-cs native kernel: conv1x1BackwardHead's coefficients must be a Float32Array of 4 x M");
  const float *wp = span(&c, w, M * K), *xp = span(&c, x, K * P);
  h.z = span(&c, z, M * P);
  h.dout = span(&c, dout, h.outs * P);
  h.weight = span(&c, hw, h.outs * M);
  float *dwp = span(&c, dw, M * K);
  float *dxp = dx < 0 ? NULL : span(&c, dx, K * P);
  if (!c.ok) return NULL;
  napi_value r;
  napi_get_boolean(env, ucs_conv1x1_backward_head(M, K, P, wp, &h, xp, dwp, dxp, acc, threads), &r);
  return r;
}

/* conv1x1Backward(f, M, K, P, w, dy, x, dw, dx (-1: none), accumulate, threads): dw = dy x^T,
 * dx (+)= w^T dy, for w M x K, dy M x P, x K x P */
static napi_value js_conv1x1_backward(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 11)) return NULL;
  const long M = arg_long(&c, 1), K = arg_long(&c, 2), P = arg_long(&c, 3);
  const long w = arg_long(&c, 4), dy = arg_long(&c, 5), x = arg_long(&c, 6), dw = arg_long(&c, 7), dx = arg_long(&c, 8);
  const int acc = arg_bool(&c, 9), threads = (int)arg_long(&c, 10);
  if (c.ok && (M < 1 || K < 1 || P < 1)) fail(&c, "untrained-cs native kernel: conv1x1Backward needs M, K, P >= 1");
  const float *wp = span(&c, w, M * K), *dyp = span(&c, dy, M * P), *xp = span(&c, x, K * P);
  float *dwp = span(&c, dw, M * K);
  float *dxp = dx < 0 ? NULL : span(&c, dx, K * P);
  if (!c.ok) return NULL;
  ucs_conv1x1_backward(M, K, P, wp, dyp, xp, dwp, dxp, acc, threads);
  return NULL;
}

/* sigmoid(f, x, y, n, threads); sigmoidBackward(f, y, dy, dx, n, accumulate, threads) */
static napi_value js_sigmoid(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 5)) return NULL;
  const long x = arg_long(&c, 1), y = arg_long(&c, 2), n = arg_long(&c, 3);
  const int threads = (int)arg_long(&c, 4);
  const float *xp = span(&c, x, n);
  float *yp = span(&c, y, n);
  if (!c.ok) return NULL;
  ucs_sigmoid(xp, yp, n, threads);
  return NULL;
}

static napi_value js_sigmoid_backward(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 7)) return NULL;
  const long y = arg_long(&c, 1), dy = arg_long(&c, 2), dx = arg_long(&c, 3), n = arg_long(&c, 4);
  const int acc = arg_bool(&c, 5), threads = (int)arg_long(&c, 6);
  const float *yp = span(&c, y, n), *dyp = span(&c, dy, n);
  float *dxp = span(&c, dx, n);
  if (!c.ok) return NULL;
  ucs_sigmoid_backward(yp, dyp, dxp, n, acc, threads);
  return NULL;
}

/* finite.c: 1 when no entry is NaN or +-Inf */
int ucs_all_finite_f64(const double *x, long n);
int ucs_all_finite_f32(const float *x, long n);

/* allFinite(a): whether a Float64Array or Float32Array holds no NaN or +-Inf (finite.c) */
static napi_value js_all_finite(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_typedarray_type type;
  size_t n = 0, off;
  void *data = NULL;
  napi_value ab;
  napi_get_cb_info(env, info, &argc, &arg, NULL, NULL);
  if (argc < 1 || napi_get_typedarray_info(env, arg, &type, &n, &data, &ab, &off) != napi_ok || (type != napi_float64_array && type != napi_float32_array)) {
    napi_throw_type_error(env, "ERR_UNTRAINED_CS_NATIVE", "untrained-cs native allFinite: expected a Float64Array or Float32Array");
    return NULL;
  }
  const int ok = n == 0 || (type == napi_float64_array ? ucs_all_finite_f64(data, (long)n) : ucs_all_finite_f32(data, (long)n));
  napi_value r;
  napi_get_boolean(env, ok, &r);
  return r;
}

/* tvprox.c: the inner loop of tv()'s proximal map */
void ucs_tv_prox(const double *b, double mu, double *q, int inner, int nonNeg, double *out, double *r, double *prev, double *g, long h, long w, int nd, int comps,
                 int interleaved);

/*
 * tvProx(b, mu, q, inner, nonNeg, out, r, prev, g, h, w, nd, comps, interleaved): b and out hold
 * comps h w values, q (the dual, updated in place), r, prev and g nd comps h w (tvprox.c).
 */
static napi_value js_tv_prox(napi_env env, napi_callback_info info) {
  Call c = {.env = env, .argc = MAX_ARGS, .ok = 1};
  napi_get_cb_info(env, info, &c.argc, c.argv, NULL, NULL);
  if (c.argc < 14) {
    fail(&c, "untrained-cs native tvProx: too few arguments");
    return NULL;
  }
  const long h = arg_long(&c, 9), w = arg_long(&c, 10);
  const long nd = arg_long(&c, 11), comps = arg_long(&c, 12), inner = arg_long(&c, 3);
  const int interleaved = arg_bool(&c, 13), nonNeg = arg_bool(&c, 4);
  const double mu = arg_num(&c, 1);
  if (c.ok && (h < 1 || w < 1 || comps < 1 || comps > 0x7fffffffL || (nd != 1 && nd != 2) || (nd == 1 && h != 1) || inner < 0 || !(mu > 0))) {
    fail(&c, "untrained-cs native tvProx: expected h, w, comps >= 1, nd 1 or 2 (h = 1 in 1D), inner >= 0 and mu > 0");
    return NULL;
  }
  size_t hw, n, m;
  if (c.ok && (__builtin_mul_overflow((size_t)h, (size_t)w, &hw) || __builtin_mul_overflow(hw, (size_t)comps, &n) || __builtin_mul_overflow(n, (size_t)nd, &m) ||
               m > (size_t)1 << 48 || inner > 0x7fffffffL)) {
    fail(&c, "untrained-cs native tvProx: h w comps nd too large, or inner above 2^31 - 1");
    return NULL;
  }
  const char *msg = "untrained-cs native tvProx: b and out must be Float64Arrays of comps h w entries, q, r, prev and g of nd comps h w";
  const double *b = typed_arg(&c, 0, napi_float64_array, n, NULL, msg);
  double *q = typed_arg(&c, 2, napi_float64_array, m, NULL, msg);
  double *out = typed_arg(&c, 5, napi_float64_array, n, NULL, msg);
  double *r = typed_arg(&c, 6, napi_float64_array, m, NULL, msg);
  double *prev = typed_arg(&c, 7, napi_float64_array, m, NULL, msg);
  double *g = typed_arg(&c, 8, napi_float64_array, m, NULL, msg);
  if (!c.ok) return NULL;
  /* The kernel's arrays are restrict: overlapping ones would give wrong results, not an error. */
  const char *lo[6] = {(const char *)b, (const char *)q, (const char *)out, (const char *)r, (const char *)prev, (const char *)g};
  const size_t len[6] = {n, m, n, m, m, m};
  for (int i = 0; i < 6; i++)
    for (int j = i + 1; j < 6; j++)
      if (lo[i] < lo[j] + len[j] * sizeof(double) && lo[j] < lo[i] + len[i] * sizeof(double)) {
        fail(&c, "untrained-cs native tvProx: b, q, out, r, prev and g must not overlap");
        return NULL;
      }
  ucs_tv_prox(b, mu, q, (int)inner, nonNeg, out, r, prev, g, h, w, (int)nd, (int)comps, interleaved);
  return NULL;
}

/* addressMod64(typedArray): its first byte's address modulo 64 (the arena aligns its floats with it). */
static napi_value js_address_mod64(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_typedarray_type type;
  size_t n = 0, off;
  void *data = NULL;
  napi_value ab;
  napi_get_cb_info(env, info, &argc, &arg, NULL, NULL);
  if (argc < 1 || napi_get_typedarray_info(env, arg, &type, &n, &data, &ab, &off) != napi_ok) {
    napi_throw_type_error(env, "ERR_UNTRAINED_CS_NATIVE", "untrained-cs native addressMod64: expected a typed array");
    return NULL;
  }
  return number(env, (double)((uintptr_t)data & 63));
}

/* upNormScratch(h, w, vertical): scratch floats of upNormForward / upNormBackward (two threads) */
static napi_value js_upnorm_scratch(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int64_t h = 0, w = 0;
  bool vertical = false;
  if (argc < 3 || napi_get_value_int64(env, argv[0], &h) != napi_ok || napi_get_value_int64(env, argv[1], &w) != napi_ok || napi_get_value_bool(env, argv[2], &vertical) != napi_ok) {
    napi_throw_type_error(env, "ERR_UNTRAINED_CS_NATIVE", "untrained-cs native kernel: upNormScratch(h, w, vertical)");
    return NULL;
  }
  return number(env, 2.0 * (double)ucs_upnorm_part_floats((long)h, (long)w, vertical));
}

/* upNormForward(f, x, y, channels, h, w, vertical, scaleOff, shiftOff, stateOff, eps, relu, scratch, threads)
 * upNormBackward(f, x, dy, dx (-1: none), channels, h, w, vertical, scaleOff, stateOff, scaleGradOff,
 *                shiftGradOff, accumulate, relu, scratch, threads) */
static napi_value upnorm_common(napi_env env, napi_callback_info info, int backward) {
  Call c;
  if (!begin(&c, env, info, backward ? 16 : 14)) return NULL;
  UpNorm u = {.backward = backward};
  const long x = arg_long(&c, 1), y = arg_long(&c, 2), dx = backward ? arg_long(&c, 3) : -1;
  const int o = backward ? 4 : 3;
  u.channels = arg_long(&c, o);
  u.h = arg_long(&c, o + 1);
  u.w = arg_long(&c, o + 2);
  u.vertical = arg_bool(&c, o + 3);
  const long scale = arg_long(&c, o + 4);
  long shift = -1, state, scaleGrad = -1, shiftGrad = -1;
  if (!backward) {
    shift = arg_long(&c, o + 5);
    state = arg_long(&c, o + 6);
    u.eps = arg_num(&c, o + 7);
    u.relu = arg_bool(&c, o + 8);
  } else {
    state = arg_long(&c, o + 5);
    scaleGrad = arg_long(&c, o + 6);
    shiftGrad = arg_long(&c, o + 7);
    u.acc = arg_bool(&c, o + 8);
    u.relu = arg_bool(&c, o + 9);
  }
  const int last = backward ? o + 10 : o + 9;
  const long scratch = arg_long(&c, last);
  const int threads = (int)arg_long(&c, last + 1);
  if (c.ok && (u.channels < 1 || u.h < 1 || u.w < 1)) fail(&c, "untrained-cs native kernel: upNorm needs channels, h, w >= 1");
  const long H = u.vertical ? 2 * u.h : u.h, P = H * 2 * u.w;
  u.x = span(&c, x, u.channels * u.h * u.w);
  if (backward) {
    u.dy = span(&c, y, u.channels * P);
    u.dx = dx < 0 ? NULL : span(&c, dx, u.channels * u.h * u.w);
    u.scaleGrad = span(&c, scaleGrad, u.channels);
    u.shiftGrad = span(&c, shiftGrad, u.channels);
  } else {
    u.y = span(&c, y, u.channels * P);
    u.shift = span(&c, shift, u.channels);
  }
  u.scale = span(&c, scale, u.channels);
  u.state = span(&c, state, 2 * u.channels);
  u.scratch = span(&c, scratch, 2 * ucs_upnorm_part_floats(u.h, u.w, u.vertical));
  if (!c.ok) return NULL;
  ucs_upnorm(&u, threads);
  return NULL;
}

static napi_value js_upnorm_forward(napi_env env, napi_callback_info info) { return upnorm_common(env, info, 0); }
static napi_value js_upnorm_backward(napi_env env, napi_callback_info info) { return upnorm_common(env, info, 1); }

/* upsample2xLayer(f, from, to, channels, h, w, vertical, backward, accumulate, threads) */
static napi_value js_up_layer(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 10)) return NULL;
  LayerJob j = {0};
  const long from = arg_long(&c, 1), to = arg_long(&c, 2);
  j.channels = arg_long(&c, 3);
  j.h = arg_long(&c, 4);
  j.w = arg_long(&c, 5);
  j.vertical = arg_bool(&c, 6);
  const int backward = arg_bool(&c, 7);
  j.acc = arg_bool(&c, 8);
  const int threads = (int)arg_long(&c, 9);
  if (c.ok && (j.channels < 1 || j.h < 1 || j.w < 1)) fail(&c, "untrained-cs native kernel: upsample2xLayer needs channels, h, w >= 1");
  const long in = j.channels * j.h * j.w, out = j.channels * (j.vertical ? 2 * j.h : j.h) * 2 * j.w;
  j.op = backward ? LAYER_UPB : LAYER_UP;
  if (backward) {
    j.dy = span(&c, from, out);
    j.dx = span(&c, to, in);
  } else {
    j.x = span(&c, from, in);
    j.y = span(&c, to, out);
  }
  if (!c.ok) return NULL;
  run_layer(&j, out, threads);
  if (j.failed) napi_throw_error(env, "ERR_UNTRAINED_CS_NATIVE", "untrained-cs native upsample2xLayer: out of memory");
  return NULL;
}

/* sum(f, x, n, relu, threads) */
static napi_value js_sum(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 5)) return NULL;
  Pass p = {.op = OP_SUM};
  const long x = arg_long(&c, 1);
  p.n = arg_long(&c, 2);
  p.relu = arg_bool(&c, 3);
  const int threads = (int)arg_long(&c, 4);
  p.x = span(&c, x, p.n);
  if (!c.ok) return NULL;
  run_pass(&p, p.n, threads);
  return number(env, p.out[0][0] + p.out[1][0]);
}

/* centeredSumSquares(f, x, n, mean, relu, threads) */
static napi_value js_centered(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 6)) return NULL;
  Pass p = {.op = OP_CSUM};
  const long x = arg_long(&c, 1);
  p.n = arg_long(&c, 2);
  p.a = (float)arg_num(&c, 3);
  p.relu = arg_bool(&c, 4);
  const int threads = (int)arg_long(&c, 5);
  p.x = span(&c, x, p.n);
  if (!c.ok) return NULL;
  run_pass(&p, p.n, threads);
  return number(env, p.out[0][0] + p.out[1][0]);
}

/* affine(f, x, y, n, a, b, relu, threads) */
static napi_value js_affine(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 8)) return NULL;
  Pass p = {.op = OP_AFFINE};
  const long x = arg_long(&c, 1), y = arg_long(&c, 2);
  p.n = arg_long(&c, 3);
  p.a = (float)arg_num(&c, 4);
  p.b = (float)arg_num(&c, 5);
  p.relu = arg_bool(&c, 6);
  const int threads = (int)arg_long(&c, 7);
  p.x = span(&c, x, p.n);
  p.y = span(&c, y, p.n);
  if (!c.ok) return NULL;
  run_pass(&p, 2 * p.n, threads);
  return NULL;
}

/* leaky(f, x, y, n, slope, threads) */
static napi_value js_leaky(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 6)) return NULL;
  Pass p = {.op = OP_LEAKY};
  const long x = arg_long(&c, 1), y = arg_long(&c, 2);
  p.n = arg_long(&c, 3);
  p.a = (float)arg_num(&c, 4);
  const int threads = (int)arg_long(&c, 5);
  p.x = span(&c, x, p.n);
  p.y = span(&c, y, p.n);
  if (!c.ok) return NULL;
  run_pass(&p, 2 * p.n, threads);
  return NULL;
}

/* leakyBackward(f, x, dy, dx, n, slope, accumulate, threads) */
static napi_value js_leaky_back(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 8)) return NULL;
  Pass p = {.op = OP_LEAKYB};
  const long x = arg_long(&c, 1), dy = arg_long(&c, 2), dx = arg_long(&c, 3);
  p.n = arg_long(&c, 4);
  p.a = (float)arg_num(&c, 5);
  p.acc = arg_bool(&c, 6);
  const int threads = (int)arg_long(&c, 7);
  p.x = span(&c, x, p.n);
  p.dy = span(&c, dy, p.n);
  p.y = span(&c, dx, p.n);
  if (!c.ok) return NULL;
  run_pass(&p, 3 * p.n, threads);
  return NULL;
}

/* batchNormSums(f, x, dy, n, mean, out: Float64Array(2), relu, threads) */
static napi_value js_bn_sums(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 8)) return NULL;
  Pass p = {.op = OP_BNSUMS};
  const long x = arg_long(&c, 1), dy = arg_long(&c, 2);
  p.n = arg_long(&c, 3);
  p.a = (float)arg_num(&c, 4);
  p.relu = arg_bool(&c, 6);
  const int threads = (int)arg_long(&c, 7);
  double *out = typed_arg(&c, 5, napi_float64_array, 2, NULL, "untrained-cs native kernel: batchNormSums needs a Float64Array of 2 for its sums");
  p.x = span(&c, x, p.n);
  p.dy = span(&c, dy, p.n);
  if (!c.ok) return NULL;
  run_pass(&p, 2 * p.n, threads);
  out[0] = p.out[0][0] + p.out[1][0];
  out[1] = p.out[0][1] + p.out[1][1];
  return NULL;
}

/* batchNormApply(f, x, dy, dx, n, mean, k, meanDy, c, accumulate, relu, threads) */
static napi_value js_bn_apply(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 12)) return NULL;
  Pass p = {.op = OP_BNAPPLY};
  const long x = arg_long(&c, 1), dy = arg_long(&c, 2), dx = arg_long(&c, 3);
  p.n = arg_long(&c, 4);
  p.a = (float)arg_num(&c, 5);
  p.b = (float)arg_num(&c, 6);
  p.c = (float)arg_num(&c, 7);
  p.d = (float)arg_num(&c, 8);
  p.acc = arg_bool(&c, 9);
  p.relu = arg_bool(&c, 10);
  const int threads = (int)arg_long(&c, 11);
  p.x = span(&c, x, p.n);
  p.dy = span(&c, dy, p.n);
  p.y = span(&c, dx, p.n);
  if (!c.ok) return NULL;
  run_pass(&p, 3 * p.n, threads);
  return NULL;
}

/* upsample2x(f, x, y, h, w, vertical, tmp, threads) */
static napi_value js_up(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 8)) return NULL;
  Pass p = {.op = OP_UP};
  const long x = arg_long(&c, 1), y = arg_long(&c, 2);
  p.h = arg_long(&c, 3);
  p.w = arg_long(&c, 4);
  p.vertical = arg_bool(&c, 5);
  const long tmp = arg_long(&c, 6);
  const int threads = (int)arg_long(&c, 7);
  const long rows = p.vertical ? 2 * p.h : p.h;
  if (c.ok && (p.h < 1 || p.w < 1)) fail(&c, "untrained-cs native kernel: upsample2x needs h, w >= 1");
  p.x = span(&c, x, p.h * p.w);
  p.y = span(&c, y, rows * 2 * p.w);
  p.tmp = span(&c, tmp, rows * p.w);
  if (!c.ok) return NULL;
  run_pass(&p, 3 * rows * p.w, threads);
  return NULL;
}

/* upsample2xBackward(f, dy, dx, h, w, vertical, tmp, accumulate, threads) */
static napi_value js_up_back(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 9)) return NULL;
  Pass p = {.op = OP_UPB};
  const long dy = arg_long(&c, 1), dx = arg_long(&c, 2);
  p.h = arg_long(&c, 3);
  p.w = arg_long(&c, 4);
  p.vertical = arg_bool(&c, 5);
  const long tmp = arg_long(&c, 6);
  p.acc = arg_bool(&c, 7);
  const int threads = (int)arg_long(&c, 8);
  const long rows = p.vertical ? 2 * p.h : p.h;
  if (c.ok && (p.h < 1 || p.w < 1)) fail(&c, "untrained-cs native kernel: upsample2xBackward needs h, w >= 1");
  p.dy = span(&c, dy, rows * 2 * p.w);
  p.y = span(&c, dx, p.h * p.w);
  p.tmp = span(&c, tmp, rows * p.w);
  if (!c.ok) return NULL;
  run_pass(&p, 3 * rows * p.w, threads);
  return NULL;
}

/* Shared argument parsing of im2col / col2im:
 * (f, c, h, w, kh, kw, stride, reflect, wo, from, to, row0, rows, threads) */
static napi_value js_im2col_common(napi_env env, napi_callback_info info, int adjoint) {
  Call c;
  if (!begin(&c, env, info, 14)) return NULL;
  Im2col g = {0};
  g.c = arg_long(&c, 1);
  g.h = arg_long(&c, 2);
  g.w = arg_long(&c, 3);
  g.kh = arg_long(&c, 4);
  g.kw = arg_long(&c, 5);
  g.stride = arg_long(&c, 6);
  g.reflect = arg_bool(&c, 7);
  g.wo = arg_long(&c, 8);
  const long from = arg_long(&c, 9), to = arg_long(&c, 10);
  g.row0 = arg_long(&c, 11);
  g.rows = arg_long(&c, 12);
  const int threads = (int)arg_long(&c, 13);
  if (c.ok && (g.c < 1 || g.h < 1 || g.w < 1 || g.kh < 1 || g.kw < 1 || g.kh % 2 == 0 || g.kw % 2 == 0 || g.stride < 1 || g.wo < 1 || g.rows < 0 || g.row0 < 0))
    fail(&c, "untrained-cs native kernel: im2col needs positive sizes and odd kernels");
  if (c.ok && g.reflect && (g.kh / 2 >= g.h || g.kw / 2 >= g.w) && (g.kh > 1 || g.kw > 1))
    fail(&c, "untrained-cs native kernel: reflection padding must be smaller than the input");
  const long colsLen = g.c * g.kh * g.kw * g.rows * g.wo;
  if (adjoint) {
    g.cols = span(&c, from, colsLen);
    g.dx = span(&c, to, g.c * g.h * g.w);
  } else {
    g.x = span(&c, from, g.c * g.h * g.w);
    g.cols = span(&c, to, colsLen);
  }
  if (!c.ok) return NULL;
  run_parts(im2col_part, &g, colsLen >= (1L << 16) ? threads : 1);
  return NULL;
}

static napi_value js_im2col(napi_env env, napi_callback_info info) { return js_im2col_common(env, info, 0); }
static napi_value js_col2im(napi_env env, napi_callback_info info) { return js_im2col_common(env, info, 1); }


/* Every index of an axis map inside [0, n). */
static void check_index(Call *c, const int32_t *idx, long len, long n) {
  if (!c->ok) return;
  for (long i = 0; i < len; i++)
    if (idx[i] < 0 || idx[i] >= n) {
      fail(c, "untrained-cs native kernel: resize index outside the input");
      return;
    }
}

#define MAP_MSG "untrained-cs native kernel: resize maps must be Int32Array / Float64Array of the output sizes"

/* resize(f, c, h, w, H, W, from, to, yi0, yi1, yw0, yw1, xi0, xi1, xw0, xw1, nearest, backward, acc, threads) */
static napi_value js_resize(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 20)) return NULL;
  Resize r = {0};
  r.c = arg_long(&c, 1);
  r.h = arg_long(&c, 2);
  r.w = arg_long(&c, 3);
  r.H = arg_long(&c, 4);
  r.W = arg_long(&c, 5);
  const long from = arg_long(&c, 6), to = arg_long(&c, 7);
  if (c.ok && (r.c < 1 || r.h < 1 || r.w < 1 || r.H < 1 || r.W < 1)) fail(&c, "untrained-cs native kernel: resize needs positive sizes");
  if (!c.ok) return NULL;
  r.yi0 = typed_arg(&c, 8, napi_int32_array, r.H, NULL, MAP_MSG);
  r.yi1 = typed_arg(&c, 9, napi_int32_array, r.H, NULL, MAP_MSG);
  r.yw0 = typed_arg(&c, 10, napi_float64_array, r.H, NULL, MAP_MSG);
  r.yw1 = typed_arg(&c, 11, napi_float64_array, r.H, NULL, MAP_MSG);
  r.xi0 = typed_arg(&c, 12, napi_int32_array, r.W, NULL, MAP_MSG);
  r.xi1 = typed_arg(&c, 13, napi_int32_array, r.W, NULL, MAP_MSG);
  r.xw0 = typed_arg(&c, 14, napi_float64_array, r.W, NULL, MAP_MSG);
  r.xw1 = typed_arg(&c, 15, napi_float64_array, r.W, NULL, MAP_MSG);
  check_index(&c, r.yi0, r.H, r.h);
  check_index(&c, r.yi1, r.H, r.h);
  check_index(&c, r.xi0, r.W, r.w);
  check_index(&c, r.xi1, r.W, r.w);
  r.nearest = arg_bool(&c, 16);
  r.backward = arg_bool(&c, 17);
  r.acc = arg_bool(&c, 18);
  const int threads = (int)arg_long(&c, 19);
  const long in = r.c * r.h * r.w, out = r.c * r.H * r.W;
  r.from = span(&c, from, r.backward ? out : in);
  r.to = span(&c, to, r.backward ? in : out);
  if (!c.ok) return NULL;
  run_parts(resize_part, &r, out >= (1L << 16) ? threads : 1);
  return NULL;
}

/*
 * The arguments of fft and dct: (data: Float64Array, shape: Int32Array of 1 to 16 sizes >= 1,
 * inverse, threads); data must hold `per` values per element of shape. Returns the data, or NULL
 * with the exception set.
 */
static double *transform_args(Call *c, napi_env env, napi_callback_info info, const char *name, size_t per, long *shape, int *dims, int *inverse, int *threads) {
  char msg[160];
  c->env = env;
  c->argc = MAX_ARGS;
  c->ok = 1;
  napi_get_cb_info(env, info, &c->argc, c->argv, NULL, NULL);
  if (c->argc < 4) {
    snprintf(msg, sizeof msg, "untrained-cs native %s: too few arguments", name);
    fail(c, msg);
    return NULL;
  }
  size_t len = 0, n = 0;
  snprintf(msg, sizeof msg, "untrained-cs native %s: data must be a Float64Array", name);
  double *data = typed_arg(c, 0, napi_float64_array, 0, &len, msg);
  snprintf(msg, sizeof msg, "untrained-cs native %s: shape must be an Int32Array of 1 to 16 sizes", name);
  const int32_t *shapeData = typed_arg(c, 1, napi_int32_array, 1, &n, msg);
  if (c->ok && n > 16) fail(c, msg);
  *inverse = arg_bool(c, 2);
  *threads = (int)arg_long(c, 3);
  if (!c->ok) return NULL;
  size_t total = 1;
  for (size_t i = 0; i < n; i++) {
    if (shapeData[i] < 1) {
      snprintf(msg, sizeof msg, "untrained-cs native %s: sizes must be >= 1", name);
      fail(c, msg);
      return NULL;
    }
    shape[i] = shapeData[i];
    total *= (size_t)shapeData[i];
  }
  if (per * total != len) {
    snprintf(msg, sizeof msg, "untrained-cs native %s: data must hold %sprod(shape) values", name, per == 2 ? "2 * " : "");
    fail(c, msg);
    return NULL;
  }
  *dims = (int)n;
  return data;
}

/* fft(data: Float64Array of interleaved complex values, shape, inverse, threads): orthonormal, in place */
static napi_value js_fft(napi_env env, napi_callback_info info) {
  Call c;
  long shape[16];
  int dims, inverse, threads;
  double *data = transform_args(&c, env, info, "fft", 2, shape, &dims, &inverse, &threads);
  if (data && !ucs_fft_nd(data, shape, dims, inverse, threads)) napi_throw_error(env, "ERR_UNTRAINED_CS_NATIVE", "untrained-cs native fft: out of memory");
  return NULL;
}

/*
 * fftMapped(buf, shape, inverse, threads, input, inMap, realIn, output, outMap, realOut, zeroFill):
 * buf[inMap[i]] = input[i], the orthonormal FFT of buf, output[k] = buf[outMap[k]] (fft_fast.c).
 */
static napi_value js_fft_mapped(napi_env env, napi_callback_info info) {
  Call c;
  long shape[16];
  int dims, inverse, threads;
  double *buf = transform_args(&c, env, info, "fftMapped", 2, shape, &dims, &inverse, &threads);
  if (!buf) return NULL;
  if (c.argc < 11) {
    fail(&c, "untrained-cs native fftMapped: too few arguments");
    return NULL;
  }
  const char *msg = "untrained-cs native fftMapped: input/output must be Float64Arrays and maps Int32Arrays of matching lengths";
  size_t nin = 0, nout = 0, lin = 0, lout = 0;
  const double *in = typed_arg(&c, 4, napi_float64_array, 0, &lin, msg);
  const int32_t *inMap = typed_arg(&c, 5, napi_int32_array, 0, &nin, msg);
  const int realIn = arg_bool(&c, 6);
  double *out = typed_arg(&c, 7, napi_float64_array, 0, &lout, msg);
  const int32_t *outMap = typed_arg(&c, 8, napi_int32_array, 0, &nout, msg);
  const int realOut = arg_bool(&c, 9);
  const int zeroFill = arg_bool(&c, 10);
  if (c.ok && (lin != (realIn ? 1 : 2) * nin || lout != (realOut ? 1 : 2) * nout)) fail(&c, msg);
  if (!c.ok) return NULL;
  const int r = ucs_fft_mapped(buf, shape, dims, inverse, threads, in, inMap, (long)nin, realIn, out, outMap, (long)nout, realOut, zeroFill);
  if (r < 0) fail(&c, "untrained-cs native fftMapped: a map entry is outside the array");
  else if (r == 0) napi_throw_error(env, "ERR_UNTRAINED_CS_NATIVE", "untrained-cs native fftMapped: out of memory");
  return NULL;
}

/* A typed array argument of type `want`, or NULL for a null argument (no error). */
static void *nullable_typed(Call *c, size_t i, napi_typedarray_type want, size_t *count, const char *msg) {
  napi_valuetype t;
  *count = 0;
  if (!c->ok || napi_typeof(c->env, c->argv[i], &t) != napi_ok || t == napi_null) return NULL;
  return typed_arg(c, i, want, 0, count, msg);
}

/*
 * dctMapped(buf, shape, inverse, threads, input, inMap|null, inWeight|null, inScale, output,
 * outMap|null, outWeight|null, outScale, zeroFill): buf[inMap[i]] = inScale inWeight[i] input[i],
 * the orthonormal DCT of buf, output[k] = outScale outWeight[k] buf[outMap[k]] (fft.c).
 */
static napi_value js_dct_mapped(napi_env env, napi_callback_info info) {
  Call c;
  long shape[16];
  int dims, inverse, threads;
  double *buf = transform_args(&c, env, info, "dctMapped", 1, shape, &dims, &inverse, &threads);
  if (!buf) return NULL;
  if (c.argc < 13) {
    fail(&c, "untrained-cs native dctMapped: too few arguments");
    return NULL;
  }
  const char *msg = "untrained-cs native dctMapped: input/output and weights must be Float64Arrays, maps Int32Arrays (or null), of matching lengths";
  size_t nin = 0, nout = 0, nim = 0, niw = 0, nom = 0, now = 0;
  const double *in = typed_arg(&c, 4, napi_float64_array, 0, &nin, msg);
  const int32_t *inMap = nullable_typed(&c, 5, napi_int32_array, &nim, msg);
  const double *inWeight = nullable_typed(&c, 6, napi_float64_array, &niw, msg);
  const double inScale = arg_num(&c, 7);
  double *out = typed_arg(&c, 8, napi_float64_array, 0, &nout, msg);
  const int32_t *outMap = nullable_typed(&c, 9, napi_int32_array, &nom, msg);
  const double *outWeight = nullable_typed(&c, 10, napi_float64_array, &now, msg);
  const double outScale = arg_num(&c, 11);
  const int zeroFill = arg_bool(&c, 12);
  if (c.ok && ((inMap && nim != nin) || (inWeight && niw != nin) || (outMap && nom != nout) || (outWeight && now != nout))) fail(&c, msg);
  if (!c.ok) return NULL;
  const int r = ucs_dct_mapped(buf, shape, dims, inverse, threads, in, (long)nin, inMap, inWeight, inScale, out, (long)nout, outMap, outWeight, outScale, zeroFill);
  if (r < 0) fail(&c, "untrained-cs native dctMapped: a map entry (or an unmapped length) is outside the array");
  else if (r == 0) napi_throw_error(env, "ERR_UNTRAINED_CS_NATIVE", "untrained-cs native dctMapped: out of memory");
  return NULL;
}

/* dct(data: Float64Array of real values, shape, inverse, threads): orthonormal DCT-II (inverse: DCT-III), in place */
static napi_value js_dct(napi_env env, napi_callback_info info) {
  Call c;
  long shape[16];
  int dims, inverse, threads;
  double *data = transform_args(&c, env, info, "dct", 1, shape, &dims, &inverse, &threads);
  if (data && !ucs_dct_nd(data, shape, dims, inverse, threads)) napi_throw_error(env, "ERR_UNTRAINED_CS_NATIVE", "untrained-cs native dct: out of memory");
  return NULL;
}

/* ---------------------------------------------------------------- Gaussian matrices (gaussian.c) */

/* Arguments with no Float32Array first: set up a Call without begin()'s check. */
static int begin_any(Call *c, napi_env env, napi_callback_info info, size_t want, const char *msg) {
  c->env = env;
  c->argc = MAX_ARGS;
  c->ok = 1;
  c->f = NULL;
  c->floats = 0;
  napi_get_cb_info(env, info, &c->argc, c->argv, NULL, NULL);
  if (c->argc < want) fail(c, msg);
  return c->ok;
}

/* A philox key word: an integer in [0, 2^32). */
static uint32_t arg_key(Call *c, size_t i) {
  const double v = arg_num(c, i);
  if (c->ok && !(v >= 0 && v < 4294967296.0 && v == (double)(uint64_t)v)) fail(c, "untrained-cs native gaussian: key words must be integers in [0, 2^32)");
  return (uint32_t)v;
}

/* gaussianFill(out: Float32Array, k0, k1, row0, rows, col0, cols, threads): out[r cols + c] = Z(row0 + r, col0 + c) */
static napi_value js_gaussian_fill(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 8)) return NULL;
  const uint32_t k0 = arg_key(&c, 1), k1 = arg_key(&c, 2);
  const long row0 = arg_long(&c, 3), rows = arg_long(&c, 4), col0 = arg_long(&c, 5), cols = arg_long(&c, 6);
  const int threads = (int)arg_long(&c, 7);
  if (c.ok && (row0 < 0 || rows < 0 || col0 < 0 || cols < 0 || row0 + rows > 4294967296L || (col0 + cols) / 64 > 268435456L))
    fail(&c, "untrained-cs native gaussianFill: rows and columns must be >= 0 and inside the generator's range");
  float *out = span(&c, 0, rows * cols);
  if (!c.ok || rows == 0 || cols == 0) return NULL;
  gaussian_fill(k0, k1, row0, rows, col0, cols, out, cols, threads);
  return NULL;
}

/*
 * gaussianProduct(a: Float32Array | null, k0, k1, m, n, op (0 forward, 1 adjoint, 2 normal),
 *                 scale, x: Float64Array, out: Float64Array, threads)
 * With a: the stored m x n matrix; null: entries regenerated from the key (matrix-free).
 */
static napi_value js_gaussian_product(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin_any(&c, env, info, 10, "untrained-cs native gaussianProduct: too few arguments")) return NULL;
  const uint32_t k0 = arg_key(&c, 1), k1 = arg_key(&c, 2);
  const long m = arg_long(&c, 3), n = arg_long(&c, 4), op = arg_long(&c, 5);
  const double scale = arg_num(&c, 6);
  const int threads = (int)arg_long(&c, 9);
  if (c.ok && (m < 1 || n < 1 || op < GAUSS_FORWARD || op > GAUSS_NORMAL || m > 4294967296L || n / 64 > 268435456L))
    fail(&c, "untrained-cs native gaussianProduct: needs m, n >= 1 inside the generator's range and op 0, 1 or 2");
  if (!c.ok) return NULL;
  const float *a = NULL;
  napi_valuetype t;
  napi_typeof(env, c.argv[0], &t);
  if (t != napi_null) a = typed_arg(&c, 0, napi_float32_array, (size_t)(m * n), NULL, "untrained-cs native gaussianProduct: the matrix must be null or a Float32Array of m * n");
  const double *x = typed_arg(&c, 7, napi_float64_array, (size_t)(op == GAUSS_ADJOINT ? m : n), NULL, "untrained-cs native gaussianProduct: x must be a Float64Array of the input size");
  double *out = typed_arg(&c, 8, napi_float64_array, (size_t)(op == GAUSS_FORWARD ? m : n), NULL, "untrained-cs native gaussianProduct: out must be a Float64Array of the output size");
  if (!c.ok) return NULL;
  if (!gaussian_product(a, k0, k1, m, n, (int)op, scale, x, out, threads)) napi_throw_error(env, "ERR_UNTRAINED_CS_NATIVE", "untrained-cs native gaussianProduct: out of memory");
  return NULL;
}

/* ------------------------------------------- 3x3 convolutions: direct (conv3x3.c) and Winograd (winograd.c) */

/*
 * The two families take the same arguments and differ only in their kernels, so each binding
 * below serves both: the family comes as the callback's data (conv3x3* and winograd* in JS).
 */
typedef struct {
  const char *name;
  int (*available)(void);
  long (*scratch_floats)(const Conv3 *g);
  void (*forward)(const Conv3 *g, const float *x, const float *weight, const float *bias, float *y, int acc, float *scratch, int threads);
  void (*backward_data)(const Conv3 *g, const float *dy, const float *weight, float *dx, int acc, float *scratch, int threads);
  void (*backward_weight)(const Conv3 *g, const float *x, const float *dy, float *dweight, float *dbias, float *scratch, int threads);
} Conv3Family;

static const Conv3Family DIRECT_3X3 = {"conv3x3", conv3x3_available, conv3x3_scratch_floats, conv3x3_forward, conv3x3_backward_data, conv3x3_backward_weight};
static const Conv3Family WINOGRAD_3X3 = {"winograd", winograd_available, winograd_scratch_floats, winograd_forward, winograd_backward_data, winograd_backward_weight};

static const Conv3Family *family_of(napi_env env, napi_callback_info info) {
  void *data = NULL;
  size_t argc = 0;
  napi_get_cb_info(env, info, &argc, NULL, NULL, &data);
  return data;
}

/* The geometry arguments (cin, cout, h, w, reflect) at i .. i + 4, checked. */
static Conv3 conv3_arg(Call *c, size_t i, const Conv3Family *k) {
  char msg[128];
  Conv3 g = {arg_long(c, i), arg_long(c, i + 1), arg_long(c, i + 2), arg_long(c, i + 3), arg_bool(c, i + 4)};
  if (c->ok && (g.cin < 1 || g.cout < 1 || g.h < 1 || g.w < 1)) {
    snprintf(msg, sizeof msg, "untrained-cs native %s: sizes must be >= 1", k->name);
    fail(c, msg);
  }
  if (c->ok && g.reflect && (g.h < 2 || g.w < 2)) {
    snprintf(msg, sizeof msg, "untrained-cs native %s: reflection padding needs h, w >= 2", k->name);
    fail(c, msg);
  }
  if (c->ok && !k->available()) {
    snprintf(msg, sizeof msg, "untrained-cs native %s: needs %s (%sAvailable() is false)", k->name, k == &WINOGRAD_3X3 ? "AVX-512 or AVX2 + FMA" : "AVX-512", k->name);
    fail(c, msg);
  }
  return g;
}

/* conv3x3Scratch / winogradScratch(cin, cout, h, w, reflect): floats of scratch the three passes need */
static napi_value js_conv3_scratch(napi_env env, napi_callback_info info) {
  const Conv3Family *k = family_of(env, info);
  Call c;
  if (!begin_any(&c, env, info, 5, "untrained-cs native 3x3 scratch: too few arguments")) return NULL;
  Conv3 g = conv3_arg(&c, 0, k);
  if (!c.ok) return NULL;
  return number(env, (double)k->scratch_floats(&g));
}

static napi_value js_conv3_available(napi_env env, napi_callback_info info) {
  napi_value r;
  napi_get_boolean(env, family_of(env, info)->available(), &r);
  return r;
}

/* ...Forward(f, cin, cout, h, w, reflect, x, weight, bias (-1: none), y, acc, scratch, threads) */
static napi_value js_conv3_forward(napi_env env, napi_callback_info info) {
  const Conv3Family *k = family_of(env, info);
  Call c;
  if (!begin(&c, env, info, 13)) return NULL;
  Conv3 g = conv3_arg(&c, 1, k);
  const long x = arg_long(&c, 6), w = arg_long(&c, 7), b = arg_long(&c, 8), y = arg_long(&c, 9), s = arg_long(&c, 11);
  const int acc = arg_bool(&c, 10), threads = (int)arg_long(&c, 12);
  if (!c.ok) return NULL;
  const float *xp = span(&c, x, g.cin * g.h * g.w), *wp = span(&c, w, g.cout * g.cin * 9), *bp = b < 0 ? NULL : span(&c, b, g.cout);
  float *yp = span(&c, y, g.cout * g.h * g.w), *sp = span(&c, s, k->scratch_floats(&g));
  if (!c.ok) return NULL;
  k->forward(&g, xp, wp, bp, yp, acc, sp, threads);
  return NULL;
}

/* ...BackwardData(f, cin, cout, h, w, reflect, dy, weight, dx, acc, scratch, threads) */
static napi_value js_conv3_backward_data(napi_env env, napi_callback_info info) {
  const Conv3Family *k = family_of(env, info);
  Call c;
  if (!begin(&c, env, info, 12)) return NULL;
  Conv3 g = conv3_arg(&c, 1, k);
  const long dy = arg_long(&c, 6), w = arg_long(&c, 7), dx = arg_long(&c, 8), s = arg_long(&c, 10);
  const int acc = arg_bool(&c, 9), threads = (int)arg_long(&c, 11);
  if (!c.ok) return NULL;
  const float *dyp = span(&c, dy, g.cout * g.h * g.w), *wp = span(&c, w, g.cout * g.cin * 9);
  float *dxp = span(&c, dx, g.cin * g.h * g.w), *sp = span(&c, s, k->scratch_floats(&g));
  if (!c.ok) return NULL;
  k->backward_data(&g, dyp, wp, dxp, acc, sp, threads);
  return NULL;
}

/* ...BackwardWeight(f, cin, cout, h, w, reflect, x, dy, dweight, dbias (-1: none), scratch, threads) */
static napi_value js_conv3_backward_weight(napi_env env, napi_callback_info info) {
  const Conv3Family *k = family_of(env, info);
  Call c;
  if (!begin(&c, env, info, 12)) return NULL;
  Conv3 g = conv3_arg(&c, 1, k);
  const long x = arg_long(&c, 6), dy = arg_long(&c, 7), dw = arg_long(&c, 8), db = arg_long(&c, 9), s = arg_long(&c, 10);
  const int threads = (int)arg_long(&c, 11);
  if (!c.ok) return NULL;
  const float *xp = span(&c, x, g.cin * g.h * g.w), *dyp = span(&c, dy, g.cout * g.h * g.w);
  float *dwp = span(&c, dw, g.cout * g.cin * 9), *dbp = db < 0 ? NULL : span(&c, db, g.cout), *sp = span(&c, s, k->scratch_floats(&g));
  if (!c.ok) return NULL;
  k->backward_weight(&g, xp, dyp, dwp, dbp, sp, threads);
  return NULL;
}

static napi_value js_isa(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value r;
  napi_create_string_utf8(env, ucs_isa_name(), NAPI_AUTO_LENGTH, &r);
  return r;
}

static void release_thread_buffers(void *unused) {
  (void)unused;
  ucs_release_thread_buffers();
  ucs_fft_release_thread_buffers();
}

NAPI_MODULE_INIT() {
  /* Once per process, though every Node worker thread runs this init. */
  static pthread_once_t chosen = PTHREAD_ONCE_INIT;
  pthread_once(&chosen, ucs_choose_isa);
  /* This thread's GEMM buffers go with its environment, before Node may unload the addon. */
  napi_add_env_cleanup_hook(env, release_thread_buffers, NULL);
  const struct {
    const char *name;
    napi_callback cb;
    const void *data;
  } fns[] = {
      {"gemm", js_gemm},
      {"batchNormForward", js_bn_forward},
      {"batchNormBackward", js_bn_backward},
      {"upsample2xLayer", js_up_layer},
      {"normHeadForward", js_norm_head_forward},
      {"normHeadBackward", js_norm_head_backward},
      {"upNormScratch", js_upnorm_scratch},
      {"conv1x1Backward", js_conv1x1_backward},
      {"conv1x1BackwardHead", js_conv1x1_backward_head},
      {"normHeadApply", js_norm_head_apply},
      {"sigmoid", js_sigmoid},
      {"sigmoidBackward", js_sigmoid_backward},
      {"allFinite", js_all_finite},
      {"addressMod64", js_address_mod64},
      {"tvProx", js_tv_prox},
      {"upNormForward", js_upnorm_forward},
      {"upNormBackward", js_upnorm_backward},
      {"gemmIm2col", js_gemm_im2col},
      {"sum", js_sum},
      {"centeredSumSquares", js_centered},
      {"affine", js_affine},
      {"leaky", js_leaky},
      {"leakyBackward", js_leaky_back},
      {"batchNormSums", js_bn_sums},
      {"batchNormApply", js_bn_apply},
      {"upsample2x", js_up},
      {"upsample2xBackward", js_up_back},
      {"im2col", js_im2col},
      {"col2im", js_col2im},
      {"resize", js_resize},
      {"fft", js_fft},
      {"dct", js_dct},
      {"fftMapped", js_fft_mapped},
      {"dctMapped", js_dct_mapped},
      {"gaussianFill", js_gaussian_fill},
      {"gaussianProduct", js_gaussian_product},
      {"isa", js_isa},
      {"conv3x3Available", js_conv3_available, &DIRECT_3X3},
      {"conv3x3Scratch", js_conv3_scratch, &DIRECT_3X3},
      {"conv3x3Forward", js_conv3_forward, &DIRECT_3X3},
      {"conv3x3BackwardData", js_conv3_backward_data, &DIRECT_3X3},
      {"conv3x3BackwardWeight", js_conv3_backward_weight, &DIRECT_3X3},
      {"winogradAvailable", js_conv3_available, &WINOGRAD_3X3},
      {"winogradScratch", js_conv3_scratch, &WINOGRAD_3X3},
      {"winogradForward", js_conv3_forward, &WINOGRAD_3X3},
      {"winogradBackwardData", js_conv3_backward_data, &WINOGRAD_3X3},
      {"winogradBackwardWeight", js_conv3_backward_weight, &WINOGRAD_3X3},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, (void *)fns[i].data, &fn);
    napi_set_named_property(env, exports, fns[i].name, fn);
  }
  return exports;
}
