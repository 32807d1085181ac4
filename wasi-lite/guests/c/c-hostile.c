/* Hostile pointers: WASI calls whose pointers or lengths lie outside linear memory (past
 * its end, straddling it, wrapping around 2^32, absurd counts). Each must fail with EFAULT
 * and change nothing; the runtime must neither trap nor crash. Calls that end exactly at the
 * end of memory are in bounds and must succeed.
 *
 * Usage: c-hostile DIR, DIR a writable preopen (for the path calls). Deterministic: one
 * stdout line per call, then a summary; exit status 1 if any check failed.
 */
#include "check.h"
#include <stdint.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
IMPORT(fd_write) int32_t h_fd_write(int32_t fd, uint32_t iovs, uint32_t n, uint32_t nwritten);
IMPORT(fd_read) int32_t h_fd_read(int32_t fd, uint32_t iovs, uint32_t n, uint32_t nread);
IMPORT(args_sizes_get) int32_t h_args_sizes_get(uint32_t argc, uint32_t size);
IMPORT(args_get) int32_t h_args_get(uint32_t argv, uint32_t buf);
IMPORT(environ_sizes_get) int32_t h_environ_sizes_get(uint32_t count, uint32_t size);
IMPORT(clock_time_get) int32_t h_clock_time_get(int32_t id, int64_t precision, uint32_t out);
IMPORT(random_get) int32_t h_random_get(uint32_t buf, uint32_t len);
IMPORT(fd_prestat_get) int32_t h_fd_prestat_get(int32_t fd, uint32_t out);
IMPORT(fd_prestat_dir_name) int32_t h_fd_prestat_dir_name(int32_t fd, uint32_t buf, uint32_t len);
IMPORT(path_open) int32_t h_path_open(int32_t fd, int32_t dirflags, uint32_t path, uint32_t len, int32_t oflags,
                                      int64_t rights, int64_t inheriting, int32_t fdflags, uint32_t out);
IMPORT(path_filestat_get) int32_t h_path_filestat_get(int32_t fd, int32_t flags, uint32_t path, uint32_t len, uint32_t out);
IMPORT(fd_readdir) int32_t h_fd_readdir(int32_t fd, uint32_t buf, uint32_t len, int64_t cookie, uint32_t used);
IMPORT(poll_oneoff) int32_t h_poll_oneoff(uint32_t in, uint32_t out, uint32_t n, uint32_t nevents);

#define EFAULT_WASI 21

static int failures, total;

static uint32_t mem_end(void) { return (uint32_t)(__builtin_wasm_memory_size(0) * 65536u); }
static uint32_t addr(const void *p) { return (uint32_t)(uintptr_t)p; }

static void fault(const char *name, int32_t r) {
    total++;
    if (r == EFAULT_WASI) {
        printf("hostile %s: EFAULT\n", name);
    } else {
        failures++;
        printf("hostile %s: WRONG (%d, want EFAULT %d)\n", name, (int)r, EFAULT_WASI);
    }
}

static void fine(const char *name, int32_t r) {
    total++;
    if (r == 0) {
        printf("hostile %s: ok\n", name);
    } else {
        failures++;
        printf("hostile %s: WRONG (%d, want success)\n", name, (int)r);
    }
}

/* Finds the preopen named `name` (fd 3 upwards). */
static int32_t preopen(const char *name) {
    static struct { uint8_t tag; uint32_t len; } ps;
    static char buf[256];
    for (int32_t fd = 3; fd < 64; fd++) {
        if (h_fd_prestat_get(fd, addr(&ps)) != 0) break;
        if (ps.len >= sizeof buf || h_fd_prestat_dir_name(fd, addr(buf), ps.len) != 0) continue;
        buf[ps.len] = 0;
        if (strcmp(buf, name) == 0) return fd;
    }
    return -1;
}

int main(int argc, char **argv) {
    guest_name = "c-hostile";
    CHECK(argc == 2, "usage: c-hostile DIR");
    int32_t dir = preopen(argv[1]);
    CHECK(dir >= 0, "%s is not a preopened directory", argv[1]);
    /* Everything the calls below point at lives in static storage, so memory does not grow
       between computing its end and using it. */
    static uint32_t u32a, u32b;
    static uint8_t bytes[64];
    static struct { uint32_t buf, len; } iov;
    const uint32_t end = mem_end();
    fprintf(stderr, "c-hostile: memory ends at %#x\n", end);

    /* fd_write */
    fault("fd_write-iovs-past-end", h_fd_write(1, end, 1, addr(&u32a)));
    fault("fd_write-iovs-straddling-end", h_fd_write(1, end - 4, 1, addr(&u32a)));
    fault("fd_write-iovs-count-huge", h_fd_write(1, addr(&iov), 0x10000000u, addr(&u32a)));
    /* 0x20000000 iovecs of 8 bytes: 2^32 bytes, 0 in 32-bit arithmetic. */
    fault("fd_write-iovs-count-wrapping", h_fd_write(1, addr(&iov), 0x20000000u, addr(&u32a)));
    iov.buf = end; iov.len = 16;
    fault("fd_write-buf-past-end", h_fd_write(1, addr(&iov), 1, addr(&u32a)));
    iov.buf = end - 8; iov.len = 16;
    fault("fd_write-buf-straddling-end", h_fd_write(1, addr(&iov), 1, addr(&u32a)));
    iov.buf = 0xfffffff0u; iov.len = 0x20;
    fault("fd_write-buf-wrapping", h_fd_write(1, addr(&iov), 1, addr(&u32a)));
    iov.buf = addr(bytes); iov.len = 0xffffffffu;
    fault("fd_write-len-huge", h_fd_write(1, addr(&iov), 1, addr(&u32a)));
    iov.buf = addr(bytes); iov.len = 0;
    fault("fd_write-nwritten-past-end", h_fd_write(1, addr(&iov), 1, end));
    fault("fd_write-nwritten-straddling-end", h_fd_write(1, addr(&iov), 1, end - 2));

    /* fd_read (stdin is empty in this case) */
    fault("fd_read-iovs-past-end", h_fd_read(0, end + 1024, 1, addr(&u32a)));
    iov.buf = 0xffffff00u; iov.len = 0x200;
    fault("fd_read-buf-wrapping", h_fd_read(0, addr(&iov), 1, addr(&u32a)));

    /* args, environ, clocks, random */
    fault("args_sizes_get-past-end", h_args_sizes_get(end, addr(&u32b)));
    fault("args_sizes_get-second-past-end", h_args_sizes_get(addr(&u32a), 0xfffffffcu));
    fault("args_get-argv-past-end", h_args_get(end, addr(bytes)));
    fault("args_get-buf-past-end", h_args_get(addr(bytes), end - 1));
    fault("environ_sizes_get-past-end", h_environ_sizes_get(end + 4, addr(&u32b)));
    fault("clock_time_get-past-end", h_clock_time_get(0, 1, end));
    fault("clock_time_get-straddling-end", h_clock_time_get(1, 1, end - 4));
    fault("random_get-past-end", h_random_get(end, 1));
    fault("random_get-straddling-end", h_random_get(end - 8, 16));
    fault("random_get-wrapping", h_random_get(0xfffffff8u, 16));
    fault("random_get-len-huge", h_random_get(addr(bytes), 0x80000000u));

    /* paths */
    fault("path_open-path-past-end", h_path_open(dir, 0, end, 4, 0, 2, 0, 0, addr(&u32a)));
    fault("path_open-path-straddling-end", h_path_open(dir, 0, end - 2, 4, 0, 2, 0, 0, addr(&u32a)));
    fault("path_open-path-len-huge", h_path_open(dir, 0, addr(bytes), 0x7fffffffu, 0, 2, 0, 0, addr(&u32a)));
    fault("path_open-out-past-end", h_path_open(dir, 0, addr("."), 1, 2, 0x4000, 0, 0, end));
    fault("path_filestat_get-out-past-end", h_path_filestat_get(dir, 0, addr("."), 1, end - 32));
    fault("fd_prestat_get-out-past-end", h_fd_prestat_get(dir, end));
    fault("fd_prestat_dir_name-buf-past-end", h_fd_prestat_dir_name(dir, end, (uint32_t)strlen(argv[1])));
    fault("fd_readdir-buf-past-end", h_fd_readdir(dir, end, 256, 0, addr(&u32a)));
    fault("fd_readdir-used-past-end", h_fd_readdir(dir, addr(bytes), sizeof bytes, 0, end));

    /* poll_oneoff */
    fault("poll_oneoff-subscriptions-past-end", h_poll_oneoff(end - 16, addr(bytes), 1, addr(&u32a)));
    /* 0x08000000 subscriptions of 48 bytes: 6 GiB, 2 GiB in 32-bit arithmetic. */
    fault("poll_oneoff-count-huge", h_poll_oneoff(addr(bytes), addr(bytes), 0x08000000u, addr(&u32a)));

    /* In bounds up to the last byte: must work. */
    fine("random_get-last-bytes", h_random_get(end - 4, 4));
    fine("random_get-empty-at-end", h_random_get(end, 0));
    fine("clock_time_get-last-bytes", h_clock_time_get(1, 1, end - 8));
    iov.buf = end; iov.len = 0;
    fine("fd_write-empty-buf-at-end", h_fd_write(1, addr(&iov), 1, addr(&u32a)));
    fine("args_sizes_get-last-bytes", h_args_sizes_get(end - 8, end - 4));

    if (failures) {
        printf("c-hostile: FAILED: %d of %d checks\n", failures, total);
        return 1;
    }
    printf("c-hostile: %d checks ok\n", total);
    return 0;
}
