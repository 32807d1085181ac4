/* Clocks and randomness through wasi-libc, self-checking (stdout has only fixed
 * "c-clock-random: ... ok" lines; measurements go to stderr):
 * clock_gettime(CLOCK_REALTIME) is a sane date and agrees with time() and gettimeofday();
 * clock_getres is in (0, 1 s]; CLOCK_MONOTONIC never goes back over 10,000 readings;
 * nanosleep(30 ms) sleeps at least that long and not absurdly long; getentropy fills its
 * buffer, twice differently, with about half the bits set.
 */
#include "check.h"
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
    guest_name = "c-clock-random";
    struct timespec t, r;

    CHECK(clock_gettime(CLOCK_REALTIME, &t) == 0, "clock_gettime(CLOCK_REALTIME)");
    fprintf(stderr, "c-clock-random: realtime %lld.%09ld\n", (long long)t.tv_sec, t.tv_nsec);
    CHECK(t.tv_sec > 1672531200LL && t.tv_sec < 4102444800LL, "realtime %lld is not between 2023 and 2100", (long long)t.tv_sec);
    CHECK(t.tv_nsec >= 0 && t.tv_nsec < 1000000000L, "tv_nsec %ld", t.tv_nsec);
    time_t now = time(NULL);
    CHECK(llabs((long long)now - (long long)t.tv_sec) < 60, "time() %lld vs clock_gettime %lld", (long long)now, (long long)t.tv_sec);
    struct timeval tv;
    CHECK(gettimeofday(&tv, NULL) == 0, "gettimeofday");
    CHECK(llabs((long long)tv.tv_sec - (long long)t.tv_sec) < 60, "gettimeofday %lld", (long long)tv.tv_sec);
    puts("c-clock-random: realtime ok");

    CHECK(clock_getres(CLOCK_REALTIME, &r) == 0, "clock_getres(CLOCK_REALTIME)");
    CHECK(ns(r) > 0 && ns(r) <= 1000000000LL, "realtime resolution %lld ns", ns(r));
    CHECK(clock_getres(CLOCK_MONOTONIC, &r) == 0, "clock_getres(CLOCK_MONOTONIC)");
    CHECK(ns(r) > 0 && ns(r) <= 1000000000LL, "monotonic resolution %lld ns", ns(r));
    puts("c-clock-random: resolution ok");

    struct timespec prev;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &prev) == 0, "clock_gettime(CLOCK_MONOTONIC)");
    for (int i = 0; i < 10000; i++) {
        CHECK(clock_gettime(CLOCK_MONOTONIC, &t) == 0, "clock_gettime(CLOCK_MONOTONIC)");
        CHECK(ns(t) >= ns(prev), "monotonic clock went back at reading %d", i);
        prev = t;
    }
    puts("c-clock-random: monotonic ok");

    struct timespec a, b, req = {0, 30000000L};
    CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0, "clock_gettime");
    CHECK(nanosleep(&req, NULL) == 0, "nanosleep(30 ms)");
    CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0, "clock_gettime");
    long long slept = ns(b) - ns(a);
    fprintf(stderr, "c-clock-random: nanosleep(30 ms) took %lld ns\n", slept);
    CHECK(slept >= 30000000LL, "nanosleep(30 ms) returned after %lld ns", slept);
    CHECK(slept < 20000000000LL, "nanosleep(30 ms) took %lld ns", slept);
    puts("c-clock-random: nanosleep ok");

    unsigned char x[256], y[256];
    memset(x, 0, sizeof x);
    memset(y, 0, sizeof y);
    CHECK(getentropy(x, sizeof x) == 0, "getentropy(256)");
    CHECK(getentropy(y, sizeof y) == 0, "getentropy(256)");
    CHECK(getentropy(x, 0) == 0, "getentropy(0)");
    CHECK(memcmp(x, y, sizeof x) != 0, "two getentropy draws are identical");
    int ones = 0, nonzero = 0;
    for (size_t i = 0; i < sizeof x; i++) {
        ones += __builtin_popcount(x[i]);
        nonzero |= x[i];
    }
    fprintf(stderr, "c-clock-random: %d of 2048 bits set\n", ones);
    /* 2048 bits: mean 1024, sd 22.6; the bounds are 10 sd away. */
    CHECK(nonzero && ones > 798 && ones < 1250, "%d of 2048 random bits set", ones);
    CHECK(getentropy(x, 257) == -1 && errno == EIO, "getentropy(257) must fail with EIO");
    puts("c-clock-random: getentropy ok");
    return 0;
}
