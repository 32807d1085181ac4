/* Files in a preopen through wasi-libc: fopen/fwrite/fseek/ftell/fread, stat/fstat,
 * ftruncate, pread/pwrite, rename, mkdir/rmdir, opendir/readdir (sorted), unlink,
 * symlink/readlink, link, access, each expected failure with its errno, and one path
 * out of the preopen through "..", which must be refused.
 *
 * Usage: c-files DIR, DIR being the guest path of a writable preopen (e.g. /sandbox).
 * Works in DIR/c-files-test, which it creates and removes. Deterministic: compare
 * stdout exactly.
 */
#include "check.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[512];

static const char *p(const char *name) {
    static char bufs[4][600];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", root, name);
    return b;
}

static void expect_errno(int failed, int want, const char *what) {
    CHECK(failed, "%s succeeded; it must fail", what);
    CHECK(errno == want, "%s failed with %s (%d), want %s", what, errno_name(errno), errno, errno_name(want));
    printf("c-files: %s: %s\n", what, errno_name(want));
}

static size_t slurp(const char *path, char *buf, size_t cap) {
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL, "fopen %s for reading", path);
    size_t n = fread(buf, 1, cap, f);
    CHECK(!ferror(f), "fread %s", path);
    fclose(f);
    return n;
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    guest_name = "c-files";
    CHECK(argc == 2, "usage: c-files DIR");
    snprintf(root, sizeof root, "%s/c-files-test", argv[1]);

    CHECK(mkdir(root, 0755) == 0, "mkdir %s", root);
    CHECK(mkdir(p("sub"), 0755) == 0, "mkdir sub");
    struct stat st;
    CHECK(stat(p("sub"), &st) == 0 && S_ISDIR(st.st_mode), "stat sub");
    puts("c-files: mkdir ok");

    /* fopen, fwrite, fseek, overwrite, fread back. */
    FILE *f = fopen(p("a.txt"), "w+");
    CHECK(f != NULL, "fopen a.txt w+");
    CHECK(fwrite("hello world\n", 1, 12, f) == 12, "fwrite");
    CHECK(ftell(f) == 12, "ftell after write is %ld", ftell(f));
    CHECK(fseek(f, 6, SEEK_SET) == 0, "fseek 6");
    CHECK(fputs("WASI!", f) >= 0, "fputs");
    CHECK(fseek(f, 0, SEEK_SET) == 0, "fseek 0");
    char buf[256] = {0};
    CHECK(fread(buf, 1, sizeof buf, f) == 12 && feof(f), "fread back");
    CHECK(memcmp(buf, "hello WASI!\n", 12) == 0, "a.txt reads %.12s", buf);
    CHECK(fseek(f, -6, SEEK_END) == 0 && ftell(f) == 6, "fseek -6 from end");
    CHECK(fgets(buf, sizeof buf, f) && strcmp(buf, "WASI!\n") == 0, "fgets the tail: %s", buf);
    CHECK(fclose(f) == 0, "fclose");
    puts("c-files: fopen/fwrite/fseek/fread ok: hello WASI!");

    /* POSIX descriptors: fstat, pread/pwrite (offset unchanged), ftruncate, O_APPEND. */
    int fd = open(p("a.txt"), O_RDWR);
    CHECK(fd >= 0, "open a.txt O_RDWR");
    CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 12, "fstat a.txt: size %lld", (long long)st.st_size);
    CHECK(lseek(fd, 3, SEEK_SET) == 3, "lseek 3");
    CHECK(pwrite(fd, "W", 1, 0) == 1, "pwrite");
    CHECK(pread(fd, buf, 5, 6) == 5 && memcmp(buf, "WASI!", 5) == 0, "pread at 6");
    CHECK(lseek(fd, 0, SEEK_CUR) == 3, "pread/pwrite moved the offset");
    CHECK(ftruncate(fd, 5) == 0, "ftruncate 5");
    CHECK(fstat(fd, &st) == 0 && st.st_size == 5, "size after ftruncate: %lld", (long long)st.st_size);
    CHECK(fsync(fd) == 0, "fsync");
    CHECK(close(fd) == 0, "close");
    fd = open(p("a.txt"), O_WRONLY | O_APPEND);
    CHECK(fd >= 0, "open O_APPEND");
    CHECK(write(fd, "+1\n", 3) == 3, "append");
    CHECK(close(fd) == 0, "close");
    size_t n = slurp(p("a.txt"), buf, sizeof buf);
    CHECK(n == 8 && memcmp(buf, "Wello+1\n", 8) == 0, "a.txt is %.*s", (int)n, buf);
    puts("c-files: fstat/pread/pwrite/ftruncate/append ok: Wello+1");

    /* rename, link, symlink, readlink, access. */
    CHECK(rename(p("a.txt"), p("b.txt")) == 0, "rename a.txt b.txt");
    expect_errno(access(p("a.txt"), F_OK) != 0, ENOENT, "access a renamed-away file");
    CHECK(access(p("b.txt"), R_OK | W_OK) == 0, "access b.txt");
    CHECK(link(p("b.txt"), p("hard.txt")) == 0, "link b.txt hard.txt");
    CHECK(stat(p("b.txt"), &st) == 0 && st.st_nlink == 2, "b.txt nlink %llu", (unsigned long long)st.st_nlink);
    CHECK(symlink("b.txt", p("link")) == 0, "symlink link -> b.txt");
    ssize_t len = readlink(p("link"), buf, sizeof buf);
    CHECK(len == 5 && memcmp(buf, "b.txt", 5) == 0, "readlink gave %zd", len);
    CHECK(lstat(p("link"), &st) == 0 && S_ISLNK(st.st_mode), "lstat link");
    CHECK(stat(p("link"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 8, "stat through link");
    f = fopen(p("c.txt"), "w");
    CHECK(f && fputs("c\n", f) >= 0 && fclose(f) == 0, "writing c.txt");
    puts("c-files: rename/link/symlink/readlink ok");

    /* opendir/readdir, sorted; "." and ".." are skipped. */
    DIR *d = opendir(root);
    CHECK(d != NULL, "opendir");
    char *names[16];
    int count = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        CHECK(count < 16, "too many entries");
        char name[300];
        snprintf(name, sizeof name, "%s%s", e->d_name,
                 e->d_type == DT_DIR ? "/" : e->d_type == DT_LNK ? "@" : "");
        names[count++] = strdup(name);
    }
    CHECK(errno == 0, "readdir");
    CHECK(closedir(d) == 0, "closedir");
    qsort(names, (size_t)count, sizeof names[0], cmp);
    printf("c-files: listing:");
    for (int i = 0; i < count; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
    CHECK(count == 5, "%d entries listed, want 5", count);

    /* Failures with their errno. */
    expect_errno(fopen(p("missing.txt"), "r") == NULL, ENOENT, "fopen a missing file");
    expect_errno(mkdir(p("sub"), 0755) != 0, EEXIST, "mkdir an existing directory");
    expect_errno(open(p("b.txt"), O_WRONLY | O_CREAT | O_EXCL, 0644) < 0, EEXIST, "O_CREAT|O_EXCL an existing file");
    expect_errno(opendir(p("b.txt")) == NULL, ENOTDIR, "opendir a file");
    CHECK(mkdir(p("sub/x"), 0755) == 0, "mkdir sub/x");
    expect_errno(rmdir(p("sub")) != 0, ENOTEMPTY, "rmdir a non-empty directory");
    expect_errno(rmdir(p("b.txt")) != 0, ENOTDIR, "rmdir a file");
    expect_errno(unlink(p("sub")) != 0, EISDIR, "unlink a directory");

    /* Out of the preopen through "..": wasi-libc passes "../..." to the runtime. */
    char outside[600];
    snprintf(outside, sizeof outside, "%s/../c-files-outside.txt", argv[1]);
    errno = 0;
    f = fopen(outside, "w");
    CHECK(f == NULL, "fopen %s succeeded: escaped the preopen", outside);
    CHECK(errno == ENOTCAPABLE || errno == EPERM, "fopen of a path out of the preopen failed with %s (%d), want ENOTCAPABLE or EPERM", errno_name(errno), errno);
    puts("c-files: fopen out of the preopen through ..: refused");

    /* Removal. */
    CHECK(unlink(p("link")) == 0, "unlink link");
    CHECK(access(p("b.txt"), F_OK) == 0, "unlinking a symlink removed its target");
    const char *files[] = {"b.txt", "hard.txt", "c.txt"};
    for (int i = 0; i < 3; i++) CHECK(unlink(p(files[i])) == 0, "unlink %s", files[i]);
    CHECK(rmdir(p("sub/x")) == 0 && rmdir(p("sub")) == 0, "rmdir sub/x, sub");
    CHECK(rmdir(root) == 0, "rmdir %s", root);
    expect_errno(stat(root, &st) != 0, ENOENT, "stat the removed directory");
    puts("c-files: cleanup ok");
    return 0;
}
