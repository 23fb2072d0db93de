/* rng.c - stream allocation and seeding by construction. */
#include "sim/rng.h"

int64_t rng_seed_for(uint64_t base, uint64_t rep, uint64_t streams_per_rep, uint64_t id)
{
    const uint64_t lim = UINT64_C(1) << 32;
    if (base >= lim || rep >= lim || streams_per_rep >= lim || id >= streams_per_rep)
        return -1;
    uint64_t seed = 1 + base + rep * streams_per_rep + id;
    return seed < lim ? (int64_t)seed : -1;
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

/* MurmurHash3's 32-bit finaliser: a bijection of 32-bit values that maps
 * neighbouring seeds far apart.  taus2 seeds its three words with an LCG, so
 * seeds n and n+1 would otherwise start visibly correlated (seen as a 2%
 * bias in 4000 short replications); a bijection keeps seeds distinct. */
static uint32_t spread(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    x *= 0xc2b2ae35u;
    x ^= x >> 16;
    return x;
}

void rng_seed(rng_stream *s, unsigned long seed)
{
    s->seed = seed;
    s->exp_next = s->exp_end = 0; /* pre-drawn values belong to the old seed */
    gsl_rng_set(s->r, spread((uint32_t)seed));
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
