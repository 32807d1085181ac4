/* stdio through wasi-libc: printf's integer and floating-point formatting, puts/putchar,
 * fputs/fprintf/perror to stderr, an unbuffered stream, a long line, snprintf.
 *
 *   c-stdio          the output tests (deterministic: compare stdout and stderr)
 *   c-stdio cat      copies stdin to stdout with fgets/fputs, then prints
 *                    "c-stdio: N lines, M bytes" to stderr
 */
#include "check.h"
#include <math.h>

static int cat(void) {
    char line[256];
    unsigned long lines = 0, bytes = 0;
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        bytes += n;
        if (n && line[n - 1] == '\n') lines++;
        CHECK(fputs(line, stdout) >= 0, "fputs to stdout");
    }
    CHECK(!ferror(stdin), "reading stdin");
    CHECK(fflush(stdout) == 0, "flushing stdout");
    fprintf(stderr, "c-stdio: %lu lines, %lu bytes\n", lines, bytes);
    return 0;
}

int main(int argc, char **argv) {
    guest_name = "c-stdio";
    if (argc > 1 && strcmp(argv[1], "cat") == 0) return cat();
    CHECK(argc == 1, "usage: c-stdio [cat]");

    puts("Hello from a wisp guest (C, wasi-libc)!");
    fputs("c-stdio: this line goes to stderr\n", stderr);
    printf("ints: %d %i %u %x %X %o %ld %lld %zu\n", -42, 7, 4000000000u, 0xbeef, 0xcafe, 8,
           -1234567890L, -9223372036854775807LL - 1, (size_t)65536);
    printf("widths: [%5d] [%-5d] [%05d] [%+d] [%.3s] [%8.3s] [%c%c]\n", 42, 42, 42, 42,
           "abcdef", "abcdef", 'o', 'k');
    printf("floats: %.2f %.6f %e %g %g %g %.17g\n", 3.14159, -0.000001, 6.02214076e23, 100000.0,
           1e-5, 0.1 + 0.2, 0.1);
    /* NAN is a constant: a NaN computed at run time may have either sign in wasm. */
    printf("special: %f %f %f %.0f %.0f %.1f %a\n", INFINITY, -INFINITY, NAN, 2.5, 3.5, 0.25, 1.0);
    putchar('x');
    putchar('\n');

    char buf[64];
    int n = snprintf(buf, sizeof buf, "%s-%04d-%.1f", "snprintf", 7, 2.25);
    CHECK(n == 17 && strcmp(buf, "snprintf-0007-2.2") == 0, "snprintf gave %d %s", n, buf);
    n = snprintf(buf, 8, "%s", "truncated output");
    CHECK(n == 16 && strcmp(buf, "truncat") == 0, "truncating snprintf gave %d %s", n, buf);
    puts("snprintf: ok");

    /* A 4000-byte line, and its checksum. */
    char line[4001];
    for (int i = 0; i < 4000; i++) line[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7) % 36];
    line[4000] = '\0';
    printf("%s\n", line);
    printf("long line: %zu bytes, fnv64 %016llx\n", strlen(line), fnv64(line, 4000));

    /* stderr through fprintf and perror (errno set by hand: deterministic text). */
    fprintf(stderr, "c-stdio: fprintf to stderr: %d\n", 123);
    errno = ENOENT;
    perror("c-stdio: perror");

    /* An unbuffered stream: writes go out as they are made. */
    CHECK(setvbuf(stdout, NULL, _IONBF, 0) == 0, "setvbuf(stdout, _IONBF)");
    for (int i = 0; i < 5; i++) printf("unbuffered %d%s", i, i == 4 ? "\n" : ", ");

    /* Writing to a stream opened on a descriptor that does not exist fails. */
    FILE *bad = fdopen(97, "w");
    if (bad) {
        fputs("nobody reads this\n", bad);
        CHECK(fflush(bad) == EOF && errno == EBADF, "fflush to fd 97 did not fail with EBADF");
        fclose(bad);
    }
    puts("write to an unopened fd: EBADF");
    fputs("c-stdio: done\n", stderr);
    puts("goodbye");
    return 0;
}
