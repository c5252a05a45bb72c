/*
 * Width-generic float vectors for the memory-bound passes, compiled once per ISA.
 *
 * GCC 12 lowers 16-float generic vectors (vector_size(64)) badly where there are no 512-bit
 * registers: comparisons become 16 scalar compares, and a vector carried round a loop (an
 * accumulator) lives on the stack, moved in 16-byte halves and 8-byte pieces through
 * general registers, with store-forwarding stalls on every reload (perf, 2026-12-01: the AVX2
 * clones of the batch-norm sums, the fused norm + 1x1 head and its backward were ~37% of a
 * 256x256 Deep Decoder step; a 16 MB ReLU-sum took 2.5 ms with 16 lanes against 0.55 ms with 8).
 * So a kernel body (passes_simd.h, normhead_simd.h, sigmoid_simd.h, finite_simd.h) is written
 * once against VF / VI / VU / VD and VN lanes, and simd_instances.h compiles it once per ISA at
 * the ISA's own width: 16 lanes for AVX-512, 8 for AVX2, 4 for the rest (SSE2, NEON), naming each
 * copy SIMD_FN(name) = name_avx512 / name_avx2 / name_base. SIMD_CALL(name) picks the copy of the
 * ISA chosen with the GEMM's at load time (ucs_simd_level; UNTRAINED_CS_NATIVE_ISA forces it, so
 * one machine can test every copy). The AVX-512 copies are the code the 16-lane clones were.
 *
 * No comparison operators in the bodies: masks come from the float bits with shifts,
 * subtractions and logic, which split into native instructions at any width.
 */
#ifndef UCS_SIMD_H
#define UCS_SIMD_H

#include "ucs_native.h"

/* 64-byte vectors cross no ABI (every helper is a macro or inlined), but GCC warns anyway. */
#pragma GCC diagnostic ignored "-Wpsabi"

/* Vectors of N floats (vfN), ints (viN), unsigned (vuN), and doubles of the same width (vdwN). */
#define SIMD_TYPES(N)                                                                     \
  typedef float vf##N __attribute__((vector_size(4 * N), aligned(4), may_alias));        \
  typedef int vi##N __attribute__((vector_size(4 * N), aligned(4), may_alias));          \
  typedef unsigned vu##N __attribute__((vector_size(4 * N), aligned(4), may_alias));     \
  typedef double vdw##N __attribute__((vector_size(4 * N), aligned(8), may_alias));
SIMD_TYPES(16)
SIMD_TYPES(8)
SIMD_TYPES(4)
#undef SIMD_TYPES

#define LOAD16(p) (*(const vf16 *)(p))

/* Copies per ISA: simd_instances.h builds the AVX-512 and AVX2 ones where GCC can (as UCS_CLONES). */
#if defined(UCS_X86) && !defined(__clang__) && defined(__linux__)
#define UCS_SIMD_COPIES 1
#define SIMD_CALL(name) (ucs_simd_level() == 2 ? name##_avx512 : ucs_simd_level() == 1 ? name##_avx2 : name##_base)
#else
#define SIMD_CALL(name) name##_base
#endif

/* In a body, with VN (16, 8 or 4) and SIMD_SUFFIX set by simd_instances.h: */
#define SIMD_CAT_(a, b) a##b
#define SIMD_CAT(a, b) SIMD_CAT_(a, b)
#define VF SIMD_CAT(vf, VN)
#define VI SIMD_CAT(vi, VN)
#define VU SIMD_CAT(vu, VN)
#define VD SIMD_CAT(vdw, VN)
#define SIMD_FN(name) SIMD_CAT(name, SIMD_SUFFIX)
#define V_LOAD(p) (*(const VF *)(p))
#define V_SPLAT(s) ((VF){0} + (s))
/* all bits set in the lanes whose sign bit is set (-0 and negative NaN included) */
#define V_SIGNBIT(v) ((VI)(v) >> 31)
/* all bits set in the lanes holding NaN: |bits| > the bits of infinity (no wrap: both < 2^31) */
#define V_ISNAN(v) ((VI)(((VU){0} + 0x7f800000u) - ((VU)(v) & 0x7fffffffu)) >> 31)
/* max(v, 0) by clearing the lanes below 0; NaN passes, as in torch.relu (-0 becomes +0); v a variable */
#define V_RELU(v) ((VF)((VI)(v) & ~(V_SIGNBIT(v) & ~V_ISNAN(v))))
/* all bits set where v > 0 (not for +-0 or NaN): sign clear and 0 - bits negative */
#define V_POSITIVE(v) (~V_SIGNBIT(v) & ((VI)((VU){0} - (VU)(v)) >> 31) & ~V_ISNAN(v))
/* lanes of a where the mask m is set, else of b */
#define V_SELECT(m, a, b) ((VF)(((VI)(a) & (m)) | ((VI)(b) & ~(m))))
/* The 16-lane V_RELU and V_POSITIVE, for the AVX-512-only loops outside the bodies (non-temporal stores). */
#define ISNAN16(v) ((vi16)(((vu16){0} + 0x7f800000u) - ((vu16)(v) & 0x7fffffffu)) >> 31)
#define RELU16(v) ((vf16)((vi16)(v) & ~(((vi16)(v) >> 31) & ~ISNAN16(v))))
#define POSITIVE16(v) (~((vi16)(v) >> 31) & ((vi16)((vu16){0} - (vu16)(v)) >> 31) & ~ISNAN16(v))
/* acc += the lanes of v in float64, lane 0 first */
#define V_HSUM(acc, v)                                       \
  do {                                                       \
    for (int l_ = 0; l_ < VN; l_++) (acc) += (double)(v)[l_]; \
  } while (0)

#endif
