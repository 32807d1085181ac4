/* pthreads under wasi-threads: create/join with results, a mutex-guarded counter, a
 * condition-variable hand-off, C11 atomics, thread-specific data, and a CPU-bound job for
 * the 2-against-1 thread speedup.
 *
 *   c-threads [N [ROUNDS]]     every check with N threads (default 4); deterministic stdout
 *   c-threads work T UNITS     primes below UNITS*2000, counted by T threads
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MAX_THREADS 64

static long rounds = 2000;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static uint64_t guarded;
static uint64_t turn;
static atomic_uint_fast64_t hits;
static pthread_key_t key;

static void *sum(void *arg) {
    uint64_t t = (uintptr_t)arg, s = 0;
    for (long i = 0; i <= rounds; i++) s += (uint64_t)i * (t + 1);
    uint64_t *out = malloc(sizeof *out);
    CHECK(out != NULL, "malloc in a thread");
    *out = s;
    return out;
}

static void *fight(void *arg) {
    (void)arg;
    for (long i = 0; i < rounds; i++) {
        pthread_mutex_lock(&lock);
        guarded++;
        pthread_mutex_unlock(&lock);
        atomic_fetch_add(&hits, 1);
    }
    return NULL;
}

static void *pong(void *arg) {
    (void)arg;
    for (long i = 0; i < rounds; i++) {
        pthread_mutex_lock(&lock);
        while (turn != 2 * (uint64_t)i + 1) pthread_cond_wait(&cond, &lock);
        turn++;
        pthread_cond_broadcast(&cond);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *own_key(void *arg) {
    CHECK(pthread_getspecific(key) == NULL, "a new thread's key is unset");
    pthread_setspecific(key, arg);
    return pthread_getspecific(key);
}

static int is_prime(uint64_t n) {
    if (n < 2) return 0;
    for (uint64_t d = 2; d * d <= n; d++)
        if (n % d == 0) return 0;
    return 1;
}

static atomic_uint_fast64_t next_block;
static uint64_t units;

static void *count_primes(void *arg) {
    (void)arg;
    uint64_t count = 0;
    for (;;) {
        uint64_t b = atomic_fetch_add(&next_block, 1);
        if (b >= units) break;
        for (uint64_t n = b * 2000; n < (b + 1) * 2000; n++) count += is_prime(n);
    }
    uint64_t *out = malloc(sizeof *out);
    CHECK(out != NULL, "malloc in a thread");
    *out = count;
    return out;
}

static int work(int n, uint64_t u) {
    pthread_t th[MAX_THREADS];
    units = u;
    for (int i = 0; i < n; i++) CHECK(pthread_create(&th[i], NULL, count_primes, NULL) == 0, "pthread_create");
    uint64_t total = 0;
    for (int i = 0; i < n; i++) {
        void *r;
        pthread_join(th[i], &r);
        total += *(uint64_t *)r;
        free(r);
    }
    printf("primes below %llu: %llu\n", (unsigned long long)(u * 2000), (unsigned long long)total);
    return 0;
}

int main(int argc, char **argv) {
    guest_name = "c-threads";
    if (argc > 1 && strcmp(argv[1], "work") == 0) {
        int n = argc > 2 ? atoi(argv[2]) : 2;
        CHECK(n >= 1 && n <= MAX_THREADS, "thread count %d", n);
        return work(n, argc > 3 ? strtoull(argv[3], NULL, 10) : 200);
    }
    int n = argc > 1 ? atoi(argv[1]) : 4;
    if (argc > 2) rounds = atol(argv[2]);
    CHECK(n >= 2 && n <= MAX_THREADS, "thread count %d", n);
    printf("c-threads: %d threads, %ld rounds\n", n, rounds);

    pthread_t th[MAX_THREADS];
    for (int t = 0; t < n; t++) CHECK(pthread_create(&th[t], NULL, sum, (void *)(uintptr_t)t) == 0, "pthread_create");
    uint64_t total = 0;
    for (int t = 0; t < n; t++) {
        void *r;
        CHECK(pthread_join(th[t], &r) == 0, "pthread_join");
        uint64_t expect = (uint64_t)(t + 1) * rounds * (rounds + 1) / 2;
        CHECK(*(uint64_t *)r == expect, "thread %d summed %llu", t, (unsigned long long)*(uint64_t *)r);
        total += *(uint64_t *)r;
        free(r);
    }
    printf("join: %d results, total %llu\n", n, (unsigned long long)total);

    for (int t = 0; t < n; t++) CHECK(pthread_create(&th[t], NULL, fight, NULL) == 0, "pthread_create");
    for (int t = 0; t < n; t++) pthread_join(th[t], NULL);
    CHECK(guarded == (uint64_t)n * rounds, "mutex counter %llu", (unsigned long long)guarded);
    CHECK(atomic_load(&hits) == (uint64_t)n * rounds, "atomic counter");
    printf("mutex: %llu increments; atomic: %llu hits\n", (unsigned long long)guarded,
           (unsigned long long)atomic_load(&hits));

    pthread_t other;
    CHECK(pthread_create(&other, NULL, pong, NULL) == 0, "pthread_create");
    for (long i = 0; i < rounds; i++) {
        pthread_mutex_lock(&lock);
        while (turn != 2 * (uint64_t)i) pthread_cond_wait(&cond, &lock);
        turn++;
        pthread_cond_broadcast(&cond);
        pthread_mutex_unlock(&lock);
    }
    pthread_join(other, NULL);
    printf("condvar: %llu hand-offs\n", (unsigned long long)turn);

    CHECK(pthread_key_create(&key, NULL) == 0, "pthread_key_create");
    pthread_setspecific(key, (void *)1000);
    for (int t = 0; t < n; t++) CHECK(pthread_create(&th[t], NULL, own_key, (void *)(uintptr_t)(t + 1)) == 0, "pthread_create");
    for (int t = 0; t < n; t++) {
        void *r;
        pthread_join(th[t], &r);
        CHECK((uintptr_t)r == (uintptr_t)(t + 1), "thread %d's key", t);
    }
    CHECK((uintptr_t)pthread_getspecific(key) == 1000, "the main thread's key");
    printf("keys: each of %d threads saw its own\n", n);
    printf("c-threads: ok\n");
    return 0;
}
