/*
 * 16-float vectors in GCC's generic vector types: one source for every clone of a loop
 * (UCS_CLONES: AVX-512, AVX2, SSE2), each lowered to the clone's registers.
 *
 * No comparison operators on them: GCC 12 lowers any comparison of a 64-byte vector (float or
 * integer) to 16 scalar compares when the target has no 512-bit registers, so the AVX2 clones of
 * the batch-norm passes ran scalar (perf, 2026-12-01: sum_range.avx2 and centered_range.avx2
 * alone were 21% of a 256x256 Deep Decoder step). Masks come from the float bits with shifts,
 * subtractions and logic, which split into native 256- or 128-bit instructions.
 */
#ifndef UCS_VEC16_H
#define UCS_VEC16_H

/* The helpers return zmm-sized vectors: always inlined into every clone, so no ABI crosses (GCC warns anyway). */
#pragma GCC diagnostic ignored "-Wpsabi"

typedef float vf16 __attribute__((vector_size(64), aligned(4), may_alias));
typedef int vi16 __attribute__((vector_size(64), aligned(4), may_alias));
typedef unsigned vu16 __attribute__((vector_size(64), aligned(4), may_alias));
#define LOAD16(p) (*(const vf16 *)(p))

/* All bits set in the lanes holding NaN: |bits| > the bits of infinity (no wrap: both < 2^31). */
static inline __attribute__((always_inline)) vi16 vec16_isnan(vf16 v) { return (vi16)((vu16){0} + 0x7f800000u - ((vu16)v & 0x7fffffffu)) >> 31; }

/* All bits set in the lanes whose sign bit is set (-0 and negative NaN included). */
static inline __attribute__((always_inline)) vi16 vec16_signbit(vf16 v) { return (vi16)v >> 31; }

/* max(v, 0) by clearing the lanes below 0; NaN passes, as in torch.relu (-0 becomes +0). */
#define RELU16(v) ((vf16)((vi16)(v) & ~(vec16_signbit(v) & ~vec16_isnan(v))))

/* All bits set where v > 0 (not for +-0 or NaN): sign clear and 0 - bits negative. */
#define POSITIVE16(v) (~vec16_signbit(v) & ((vi16)((vu16){0} - (vu16)(v)) >> 31) & ~vec16_isnan(v))

#endif
