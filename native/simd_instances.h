/*
 * Compiles the kernel body named by SIMD_BODY once per ISA at its own vector width (see simd.h):
 *   #define SIMD_BODY "passes_simd.h"
 *   #include "simd_instances.h"
 * Included once per body; the body defines its functions as `static ... SIMD_FN(name)(...)`.
 * The target strings are UCS_CLONES's: the same instructions and the same FMA contraction.
 */
#ifndef SIMD_BODY
#error "define SIMD_BODY before including simd_instances.h"
#endif
#include "simd.h"

#ifdef UCS_SIMD_COPIES
#pragma GCC push_options
#pragma GCC target("avx512f")
#define VN 16
#define SIMD_SUFFIX _avx512
#include SIMD_BODY
#undef VN
#undef SIMD_SUFFIX
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2")
#define VN 8
#define SIMD_SUFFIX _avx2
#include SIMD_BODY
#undef VN
#undef SIMD_SUFFIX
#pragma GCC pop_options
#endif

#define VN 4
#define SIMD_SUFFIX _base
#include SIMD_BODY
#undef VN
#undef SIMD_SUFFIX
#undef SIMD_BODY
