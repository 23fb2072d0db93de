/* runner.c - a minimal thread pool over an atomic item counter, and a pool
 * whose threads ask for their tasks (sim/runner.h). */
#include "sim/runner.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_PERIOD_NS (200 * 1000 * 1000) /* how often the progress callback runs */

typedef struct {
    atomic_int next, done, halt;
    int last;
    runner_work work;
    void *ctx;
    volatile sig_atomic_t *stop;
} shared;

typedef struct {
    shared *sh;
    int worker;
} thread_arg;

static void *worker_main(void *p)
{
    thread_arg *a = p;
    shared *sh = a->sh;
    for (;;) {
        if (atomic_load(&sh->halt) || runner_stopped(sh->stop))
            break;
        int item = atomic_fetch_add(&sh->next, 1);
        if (item >= sh->last)
            break;
        if (sh->work(sh->ctx, item, a->worker) != 0)
            atomic_store(&sh->halt, 1);
        else
            atomic_fetch_add(&sh->done, 1);
    }
    return NULL;
}

int runner_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int runner_run(int first, int last, int jobs, runner_work work, void *ctx,
               volatile sig_atomic_t *stop, runner_progress progress, void *pctx)
{
    shared sh;
    atomic_init(&sh.next, first);
    atomic_init(&sh.done, 0);
    atomic_init(&sh.halt, 0);
    sh.last = last;
    sh.work = work;
    sh.ctx = ctx;
    sh.stop = stop;
    int total = last - first;
    if (jobs > total)
        jobs = total > 0 ? total : 1;
    pthread_t *tid = calloc((size_t)jobs, sizeof *tid);
    thread_arg *args = calloc((size_t)jobs, sizeof *args);
    int started = 0;
    for (int i = 1; tid && args && i < jobs; i++) {
        args[i] = (thread_arg){&sh, i};
        if (pthread_create(&tid[i], NULL, worker_main, &args[i]) == 0)
            started = i;
        else
            break;
    }
    if (!progress || jobs == 1) {
        thread_arg self = {&sh, 0};
        worker_main(&self); /* worker 0 is this thread */
    } else {
        /* with a progress callback, this thread only reports */
        thread_arg self = {&sh, 0};
        pthread_t t0;
        int have0 = pthread_create(&t0, NULL, worker_main, &self) == 0;
        if (!have0)
            worker_main(&self);
        struct timespec ts = {0, PROGRESS_PERIOD_NS};
        while (have0) {
            progress(pctx, atomic_load(&sh.done), total);
            if (atomic_load(&sh.done) >= total || atomic_load(&sh.halt) || runner_stopped(stop))
                break;
            nanosleep(&ts, NULL);
        }
        if (have0)
            pthread_join(t0, NULL);
    }
    for (int i = 1; i <= started; i++)
        pthread_join(tid[i], NULL);
    if (progress)
        progress(pctx, atomic_load(&sh.done), total);
    free(tid);
    free(args);
    return atomic_load(&sh.done);
}

/* ---- runner_pool ---------------------------------------------------------------- */

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* a task is done, there may be more, or the pool is over */
    const runner_ops *ops;
    void *ctx;
    int running; /* tasks between next and done */
    int waiting; /* threads in pthread_cond_wait */
    int over;    /* next said -1 */
} pool;

typedef struct {
    pool *pl;
    int worker;
} pool_arg;

static void *pool_main(void *p)
{
    pool_arg *a = p;
    pool *pl = a->pl;
    pthread_mutex_lock(&pl->lock);
    while (!pl->over) {
        void *task = NULL;
        int r = pl->ops->next(pl->ctx, a->worker, &task);
        if (r == 0 && pl->running == 0)
            r = -1; /* nothing runs that could bring more */
        if (r < 0) {
            pl->over = 1;
            pthread_cond_broadcast(&pl->wake);
        } else if (r == 0) {
            pl->waiting++;
            pthread_cond_wait(&pl->wake, &pl->lock);
            pl->waiting--;
        } else {
            /* next() may have made more work than this one task (a stream
             * refilled): a waiting thread looks, not only when a task ends */
            if (pl->waiting > 0)
                pthread_cond_signal(&pl->wake);
            pl->running++;
            pthread_mutex_unlock(&pl->lock);
            pl->ops->run(pl->ctx, a->worker, task);
            pthread_mutex_lock(&pl->lock);
            pl->ops->done(pl->ctx, a->worker, task);
            pl->running--;
            pthread_cond_broadcast(&pl->wake);
        }
    }
    pthread_mutex_unlock(&pl->lock);
    return NULL;
}

void runner_pool(int jobs, const runner_ops *ops, void *ctx)
{
    pool pl = {.ops = ops, .ctx = ctx};
    pthread_mutex_init(&pl.lock, NULL);
    pthread_cond_init(&pl.wake, NULL);
    if (jobs < 1)
        jobs = 1;
    pthread_t *tid = calloc((size_t)jobs, sizeof *tid);
    pool_arg *args = calloc((size_t)jobs, sizeof *args);
    int started = 0;
    for (int i = 1; tid && args && i < jobs; i++) {
        args[i] = (pool_arg){&pl, i};
        if (pthread_create(&tid[i], NULL, pool_main, &args[i]) != 0)
            break;
        started = i;
    }
    pool_arg self = {&pl, 0};
    pool_main(&self); /* worker 0 is this thread */
    for (int i = 1; i <= started; i++)
        pthread_join(tid[i], NULL);
    pthread_cond_destroy(&pl.wake);
    pthread_mutex_destroy(&pl.lock);
    free(tid);
    free(args);
}
