/* rng.h - reproducible random streams over GSL.
 *
 * Every random quantity in a replication comes from a named stream whose seed
 * is fixed by construction from (base seed, replication, stream id):
 *     seed = 1 + base + replication * streams_per_rep + stream_id   (< 2^32)
 * GSL has no skip-ahead, and most of its generators use only 32 bits of a
 * seed, so seeds are laid out rather than hashed (hashing collides).  Results
 * then depend only on the replication number, never on which thread or MPI
 * rank runs it; and a stream id is tied to an entity and a purpose (pool 2's
 * failures, client 0's arrivals), so changing a client's policy leaves the
 * failure and arrival sample paths untouched (common random numbers).
 *
 * Generator: taus2 (24 bytes of state, fastest simulation-quality GSL type).
 */
#ifndef RELSIM_RNG_H
#define RELSIM_RNG_H

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>

typedef struct {
    gsl_rng *r;
    unsigned long seed; /* recorded for the output */
} rng_stream;

#define RNG_TYPE_NAME "taus2"

/* The seed of stream ID in replication REP; -1 if it would not fit in 32 bits. */
int64_t rng_seed_for(uint64_t base, uint64_t rep, uint64_t streams_per_rep, uint64_t id);

int rng_init(rng_stream *s);           /* allocate; 0 or -1 */
void rng_destroy(rng_stream *s);
void rng_seed(rng_stream *s, unsigned long seed);

/* U[0,1) */
static inline double rng_uniform(rng_stream *s) { return gsl_rng_uniform(s->r); }
/* U(0,1): never 0, safe for logarithms */
static inline double rng_uniform_pos(rng_stream *s) { return gsl_rng_uniform_pos(s->r); }
/* uniform integer in [0, n) */
static inline unsigned long rng_below(rng_stream *s, unsigned long n)
{
    return gsl_rng_uniform_int(s->r, n);
}
/* Exp(rate): note GSL's gsl_ran_exponential takes the MEAN; this takes a rate. */
static inline double rng_exp(rng_stream *s, double rate)
{
    return -log(gsl_rng_uniform_pos(s->r)) / rate;
}

#endif
