/*
 * GEMMs with one tiny dimension, the 1x1 convolutions into and out of few channels (the last
 * layer of Deep Decoder, ConvDecoder and DIP: 64 or 128 channels -> 1 to 3): M <= 4 (forward,
 * weight gradient) or K <= 4 (input gradient). The blocked GEMM pads M to its 8-row tile and
 * packs the whole wide operand, so these memory-bound products ran at 5-8x the time of one pass
 * over the wide operand; here they are single passes.
 */
#include <stdatomic.h>
#include <string.h>

#include "ucs_native.h"

enum { SKINNY = 4, COLS = 64 };

typedef struct {
  const Gemm *g;
  long chunks;
  atomic_long next;
} SkinnyJob;

static inline float a_at(const Gemm *g, long i, long k) { return g->ta ? g->a[k * g->lda + i] : g->a[i * g->lda + k]; }
static inline float b_at(const Gemm *g, long k, long j) { return g->tb ? g->b[j * g->ldb + k] : g->b[k * g->ldb + j]; }

/*
 * Columns [j0, j1) of C for M <= 4 with B not transposed: each row of B is read once, and
 * multiplied into the M accumulator rows (kept in L1: COLS wide).
 */
UCS_CLONES static void rows_nn(const Gemm *g, long j0, long j1) {
  float acc[SKINNY][COLS];
  const long n = j1 - j0;
  for (long i = 0; i < g->M; i++) memset(acc[i], 0, sizeof(float) * (size_t)n);
  for (long k = 0; k < g->K; k++) {
    const float *b = g->b + k * g->ldb + j0;
    for (long i = 0; i < g->M; i++) {
      const float a = a_at(g, i, k);
      for (long j = 0; j < n; j++) acc[i][j] += a * b[j];
    }
  }
  for (long i = 0; i < g->M; i++) {
    float *c = g->c + i * g->ldc + j0;
    if (g->acc)
      for (long j = 0; j < n; j++) c[j] += acc[i][j];
    else
      memcpy(c, acc[i], sizeof(float) * (size_t)n);
  }
}

/* C[i, j] for M <= 4 with B transposed (weight gradients): dot products along K, float64 sums. */
UCS_CLONES static void rows_nt(const Gemm *g, long j0, long j1) {
  for (long j = j0; j < j1; j++) {
    const float *b = g->b + j * g->ldb;
    for (long i = 0; i < g->M; i++) {
      const float *a = g->a + i * g->lda;
      float s[16] = {0};
      double total = 0;
      long k = 0;
      /* 16 float lanes per block of 4096, then float64: keeps K = 65536 sums accurate. */
      while (k < g->K) {
        const long end = g->K - k < 4096 ? g->K : k + 4096;
        for (; k + 16 <= end; k += 16)
          for (int l = 0; l < 16; l++) s[l] += a[k + l] * b[k + l];
        for (; k < end; k++) s[0] += a[k] * b[k];
        for (int l = 0; l < 16; l++) {
          total += s[l];
          s[l] = 0;
        }
      }
      float *c = g->c + i * g->ldc + j;
      *c = g->acc ? *c + (float)total : (float)total;
    }
  }
}

/* Columns [j0, j1) of C for K <= 4: C[i, :] (+)= sum_k op(A)[i, k] B[k, :] row by row. */
UCS_CLONES static void rows_small_k(const Gemm *g, long j0, long j1) {
  const long n = j1 - j0;
  for (long i = 0; i < g->M; i++) {
    float *c = g->c + i * g->ldc + j0;
    for (long k = 0; k < g->K; k++) {
      const float a = a_at(g, i, k), *b = g->b + k * g->ldb + j0;
      if (k == 0 && !g->acc)
        for (long j = 0; j < n; j++) c[j] = a * b[j];
      else
        for (long j = 0; j < n; j++) c[j] += a * b[j];
    }
  }
}

static void skinny_part(void *arg, int part, int parts) {
  SkinnyJob *s = arg;
  const Gemm *g = s->g;
  (void)part, (void)parts;
  for (long q; (q = atomic_fetch_add_explicit(&s->next, 1, memory_order_relaxed)) < s->chunks;) {
    if (g->M <= SKINNY && g->tb) {
      /* one chunk = up to 8 columns of C (8 dot products per row of A) */
      const long j0 = q * 8, j1 = j0 + 8 < g->N ? j0 + 8 : g->N;
      rows_nt(g, j0, j1);
    } else {
      const long j0 = q * COLS, j1 = j0 + COLS < g->N ? j0 + COLS : g->N;
      if (g->M <= SKINNY) rows_nn(g, j0, j1);
      else rows_small_k(g, j0, j1);
    }
  }
}

int ucs_gemm_skinny(Gemm *g, int threads) {
  if (g->conv) return 0;
  const int smallM = g->M <= SKINNY && (!g->tb || !g->ta);
  const int smallK = g->K <= SKINNY && !g->tb && g->M > SKINNY;
  if (!smallM && !smallK) return 0;
  SkinnyJob s = {g, 0, 0};
  s.chunks = smallM && g->tb ? (g->N + 7) / 8 : (g->N + COLS - 1) / COLS;
  atomic_init(&s.next, 0);
  run_parts(skinny_part, &s, (double)g->M * g->N * g->K >= 2e5 && s.chunks > 1 ? threads : 1);
  return 1;
}
