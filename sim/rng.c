/* rng.c - stream allocation and seeding by construction. */
#include "sim/rng.h"

/* SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijection of 64-bit
 * values with full avalanche, so neighbouring inputs give unrelated outputs.
 * taus2's own seeding (an LCG over 32 bits) makes seeds n and n+1 start
 * visibly correlated (seen as a 2% bias in 4000 short replications of one
 * flapping server); everything here passes through this mix first. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

uint64_t rng_name_key(const char *kind, const char *name)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325); /* FNV-1a 64 */
    const char *parts[3] = {kind, ":", name};
    for (int i = 0; i < 3; i++)
        for (const unsigned char *c = (const unsigned char *)parts[i]; *c; c++)
            h = (h ^ *c) * UINT64_C(0x100000001b3);
    return h;
}

uint64_t rng_stream_seed(uint64_t base, uint64_t rep, uint64_t key, unsigned role)
{
    return mix64(mix64(mix64(mix64(base) ^ rep) ^ key) ^ role);
}

/* The fast path of rng.h reads GSL's private taus2 state: use it only if this
 * generator is taus2 with that state size and its next draws match GSL's own.
 * Leaves R seeded as gsl_rng_alloc left it. */
static rng_taus_state *fast_state(gsl_rng *r)
{
    if (r->type != gsl_rng_taus2 || gsl_rng_size(r) != sizeof(rng_taus_state))
        return NULL;
    rng_taus_state *t = gsl_rng_state(r);
    gsl_rng *ref = gsl_rng_clone(r);
    int ok = ref != NULL;
    for (unsigned long seed = 1; ok && seed <= 3; seed++) {
        gsl_rng_set(r, seed * 2654435761UL);
        gsl_rng_set(ref, seed * 2654435761UL);
        for (int i = 0; ok && i < 64; i++)
            ok = rng_taus_next(t) == gsl_rng_get(ref);
    }
    gsl_rng_free(ref);
    gsl_rng_set(r, gsl_rng_default_seed);
    return ok ? t : NULL;
}

int rng_init(rng_stream *s)
{
    s->r = gsl_rng_alloc(gsl_rng_taus2);
    s->seed = 0;
    s->exp_next = s->exp_end = 0;
    s->taus = s->r ? fast_state(s->r) : NULL;
    return s->r ? 0 : -1;
}

void rng_destroy(rng_stream *s)
{
    gsl_rng_free(s->r);
    s->r = NULL;
    s->taus = NULL;
}

/* GSL's taus2 seeding (rng/taus.c) sets each word from an LCG of a 32-bit
 * seed, forces the minimum each component needs (s1 > 1, s2 > 7, s3 > 15)
 * and warms up with 6 steps.  Here the words come from SplitMix64 instead,
 * so all 64 bits of the seed count.  Without the fast path's state layout
 * (never seen), GSL seeds from the mixed seed's low 32 bits. */
void rng_seed(rng_stream *s, uint64_t seed)
{
    s->seed = seed;
    s->exp_next = s->exp_end = 0; /* pre-drawn values belong to the old seed */
    uint64_t x = seed;
    if (!s->taus) {
        gsl_rng_set(s->r, (unsigned long)(uint32_t)mix64(x));
        return;
    }
    unsigned long w[3];
    for (int i = 0; i < 3; i++) {
        x += UINT64_C(0x9e3779b97f4a7c15); /* SplitMix64's increment */
        w[i] = (unsigned long)(mix64(x) >> 32);
    }
    s->taus->s1 = w[0] < 2 ? w[0] + 2 : w[0];
    s->taus->s2 = w[1] < 8 ? w[1] + 8 : w[1];
    s->taus->s3 = w[2] < 16 ? w[2] + 16 : w[2];
    for (int i = 0; i < 6; i++)
        rng_taus_next(s->taus);
}

/* The uniforms first (a serial chain through the generator state), then the
 * logarithms, which are independent of each other and overlap. */
void rng_exp_refill(rng_stream *s)
{
    double u[RNG_EXP_BATCH];
    for (int i = 0; i < RNG_EXP_BATCH; i++)
        u[i] = rng_uniform_pos(s);
    for (int i = 0; i < RNG_EXP_BATCH; i++)
        s->exp1[i] = -log(u[i]);
    s->exp_next = 0;
    s->exp_end = RNG_EXP_BATCH;
}
