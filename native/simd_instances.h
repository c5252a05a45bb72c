/*
 * Compiles the kernel body named by SIMD_BODY once per ISA at its own vector width (see simd.h):
 *   #define SIMD_BODY "passes_simd.h"
 *   #include "simd_instances.h"
 * Included once per body; the body defines its functions as `static ... SIMD_FN(name)(...)`.
 */
#ifndef SIMD_BODY
#error "define SIMD_BODY before including simd_instances.h"
#endif
#include "simd.h"

#ifdef UCS_SIMD_COPIES
/* The same target strings as UCS_CLONES: the same instructions, and the same FMA contraction. */
#pragma GCC push_options
#pragma GCC target("avx512f")
#define VN 16
#define VF vf16
#define VI vi16
#define VU vu16
#define VD vd8
#define SIMD_FN(name) name##_avx512
#include SIMD_BODY
#undef VN
#undef VF
#undef VI
#undef VU
#undef VD
#undef SIMD_FN
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2")
#define VN 8
#define VF vf8
#define VI vi8
#define VU vu8
#define VD vd4
#define SIMD_FN(name) name##_avx2
#include SIMD_BODY
#undef VN
#undef VF
#undef VI
#undef VU
#undef VD
#undef SIMD_FN
#pragma GCC pop_options
#endif

#define VN 4
#define VF vf4
#define VI vi4
#define VU vu4
#define VD vd2
#define SIMD_FN(name) name##_base
#include SIMD_BODY
#undef VN
#undef VF
#undef VI
#undef VU
#undef VD
#undef SIMD_FN
#undef SIMD_BODY
