/* The rest of wasi_snapshot_preview1 that the other guests do not reach: fd_renumber,
 * fd_advise, fd_allocate, fd_datasync, fd_tell, fd_fdstat_get/set_flags (fcntl),
 * fd_filestat_set_times (futimens), sched_yield, poll_oneoff on stdin (poll), and the calls
 * a runtime need not offer (sockets, proc_raise), which must return an errno, never trap.
 *
 * Usage: c-misc DIR, DIR a writable preopen; stdin: a non-empty file (the case uses
 * fixtures/upper.in). Self-checking with stable stdout lines; details go to stderr.
 */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

/* Not in this wasi-libc's api.h any more, but still in wasi_snapshot_preview1. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t raw_proc_raise(int32_t sig);

static char root[512];

static const char *p(const char *name) {
    static char bufs[2][600];
    static int next;
    char *b = bufs[next++ % 2];
    snprintf(b, sizeof bufs[0], "%s/%s", root, name);
    return b;
}

static int make(const char *name, const char *content) {
    int fd = open(p(name), O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0, "creating %s", name);
    CHECK(write(fd, content, strlen(content)) == (ssize_t)strlen(content), "writing %s", name);
    return fd;
}

int main(int argc, char **argv) {
    guest_name = "c-misc";
    CHECK(argc == 2, "usage: c-misc DIR");
    snprintf(root, sizeof root, "%s/c-misc-test", argv[1]);
    CHECK(mkdir(root, 0755) == 0, "mkdir %s", root);

    /* poll_oneoff on stdin: a file is readable at once. */
    struct pollfd pfd = {.fd = 0, .events = POLLIN};
    int r = poll(&pfd, 1, 10000);
    CHECK(r == 1 && (pfd.revents & POLLIN), "poll(stdin, POLLIN) returned %d, revents %#x", r, pfd.revents);
    char line[128];
    CHECK(fgets(line, sizeof line, stdin) != NULL, "reading stdin after poll");
    fprintf(stderr, "c-misc: stdin's first line: %s", line);
    puts("c-misc: poll on stdin ok");

    /* fd_renumber: b becomes a's file, a is closed. */
    int a = make("a.txt", "file a\n"), b = make("b.txt", "file b\n");
    CHECK(__wasi_fd_renumber((__wasi_fd_t)a, (__wasi_fd_t)b) == 0, "fd_renumber(%d, %d)", a, b);
    char buf[64] = {0};
    CHECK(pread(b, buf, sizeof buf - 1, 0) == 7 && strcmp(buf, "file a\n") == 0, "after renumber, fd %d reads %s", b, buf);
    CHECK(__wasi_fd_close((__wasi_fd_t)a) == __WASI_ERRNO_BADF, "fd %d still open after fd_renumber", a);
    CHECK(close(b) == 0, "close");
    puts("c-misc: fd_renumber ok");

    /* fd_tell, fd_advise, fd_datasync, fd_allocate. */
    int fd = make("c.txt", "0123456789");
    __wasi_filesize_t pos = 99;
    CHECK(__wasi_fd_tell((__wasi_fd_t)fd, &pos) == 0 && pos == 10, "fd_tell gave %llu", (unsigned long long)pos);
    CHECK(posix_fadvise(fd, 0, 10, POSIX_FADV_SEQUENTIAL) == 0, "posix_fadvise (fd_advise)");
    CHECK(fdatasync(fd) == 0, "fdatasync (fd_datasync)");
    int e = posix_fallocate(fd, 0, 4096);
    struct stat st;
    if (e == 0) {
        CHECK(fstat(fd, &st) == 0 && st.st_size == 4096, "size after posix_fallocate(4096): %lld", (long long)st.st_size);
        fprintf(stderr, "c-misc: fd_allocate: supported\n");
    } else {
        /* wasmtime no longer offers fd_allocate and says ENOTSUP; that is an errno, not a trap. */
        CHECK(e == ENOTSUP, "posix_fallocate failed with %d, want success or ENOTSUP", e);
        fprintf(stderr, "c-misc: fd_allocate: ENOTSUP\n");
    }
    puts("c-misc: fd_tell/fd_advise/fd_datasync/fd_allocate ok");

    /* fd_fdstat_get / set_flags through fcntl: O_APPEND on an open descriptor. */
    int flags = fcntl(fd, F_GETFL);
    CHECK(flags >= 0 && (flags & O_ACCMODE) == O_RDWR && !(flags & O_APPEND), "F_GETFL gave %#x", flags);
    if (fcntl(fd, F_SETFL, flags | O_APPEND) == 0) {
        CHECK((fcntl(fd, F_GETFL) & O_APPEND) != 0, "O_APPEND not set after F_SETFL");
        CHECK(lseek(fd, 0, SEEK_SET) == 0 && write(fd, "!", 1) == 1, "append write");
        CHECK(fstat(fd, &st) == 0, "fstat");
        CHECK(pread(fd, buf, 1, st.st_size - 1) == 1 && buf[0] == '!', "O_APPEND write did not go to the end");
        fprintf(stderr, "c-misc: fd_fdstat_set_flags(APPEND): supported\n");
    } else {
        CHECK(errno == ENOTSUP || errno == EINVAL, "F_SETFL O_APPEND failed with %d", errno);
        fprintf(stderr, "c-misc: fd_fdstat_set_flags(APPEND): %s\n", errno == ENOTSUP ? "ENOTSUP" : "EINVAL");
    }
    puts("c-misc: fd_fdstat_get/set_flags ok");

    /* fd_filestat_set_times through futimens. */
    struct timespec times[2] = {{1000000000, 0}, {1234567890, 500000000}};
    CHECK(futimens(fd, times) == 0, "futimens");
    CHECK(fstat(fd, &st) == 0, "fstat");
    CHECK(st.st_mtim.tv_sec == 1234567890 && st.st_mtim.tv_nsec == 500000000, "mtime %lld.%09ld after futimens", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    CHECK(st.st_atim.tv_sec == 1000000000, "atime %lld after futimens", (long long)st.st_atim.tv_sec);
    CHECK(close(fd) == 0, "close");
    puts("c-misc: fd_filestat_set_times ok");

    CHECK(sched_yield() == 0, "sched_yield");
    puts("c-misc: sched_yield ok");

    /* Sockets on descriptors that are not sockets: an errno, not a trap. */
    fd = open(p("a.txt"), O_RDWR);
    CHECK(fd >= 0, "open a.txt");
    __wasi_fd_t sock = 0;
    __wasi_errno_t se = __wasi_sock_accept((__wasi_fd_t)fd, 0, &sock);
    CHECK(se != 0, "sock_accept on a file succeeded");
    __wasi_errno_t sh = __wasi_sock_shutdown((__wasi_fd_t)fd, __WASI_SDFLAGS_RD);
    CHECK(sh != 0, "sock_shutdown on a file succeeded");
    char rb[8];
    __wasi_iovec_t iov = {(uint8_t *)rb, sizeof rb};
    __wasi_size_t n = 0;
    __wasi_roflags_t rf = 0;
    __wasi_errno_t rv = __wasi_sock_recv((__wasi_fd_t)fd, &iov, 1, 0, &n, &rf);
    CHECK(rv != 0, "sock_recv on a file succeeded");
    fprintf(stderr, "c-misc: sock_accept %d, sock_shutdown %d, sock_recv %d\n", se, sh, rv);
    CHECK(close(fd) == 0, "close");
    puts("c-misc: sockets refused with an errno ok");

    int32_t pr = raw_proc_raise(15 /* SIGTERM */);
    fprintf(stderr, "c-misc: proc_raise(SIGTERM) %d\n", (int)pr);
    CHECK(pr != 0, "proc_raise(SIGTERM) returned success and the program is still running");
    puts("c-misc: proc_raise refused with an errno ok");

    const char *names[] = {"a.txt", "b.txt", "c.txt"};
    for (int i = 0; i < 3; i++) CHECK(unlink(p(names[i])) == 0, "unlink %s", names[i]);
    CHECK(rmdir(root) == 0, "rmdir %s", root);
    puts("c-misc: cleanup ok");
    return 0;
}
