/* Exit codes through wasi-libc. Built with its name section, so a runtime's trap
 * backtrace can name the functions (abort, main, ...).
 *
 *   c-exit N          atexit handler registered, then exit(N): prints "c-exit: exit(N)"
 *                     then "c-exit: atexit handler ran"
 *   c-exit return N   returns N from main (atexit handler runs too)
 *   c-exit abort      abort(): a wasm trap, not an exit code
 */
#include "check.h"

static void on_exit_handler(void) { puts("c-exit: atexit handler ran"); }

static int code(const char *s) {
    char *end;
    long n = s ? strtol(s, &end, 10) : -1;
    if (!s || *end || n < 0 || n > 255) {
        fputs("usage: c-exit N | c-exit return N | c-exit abort   (N in 0..=255)\n", stderr);
        exit(2);
    }
    return (int)n;
}

int main(int argc, char **argv) {
    guest_name = "c-exit";
    if (argc > 1 && strcmp(argv[1], "abort") == 0) {
        puts("c-exit: aborting (expect a trap)");
        fflush(stdout);
        abort();
    }
    if (argc > 1 && strcmp(argv[1], "return") == 0) {
        int n = code(argc > 2 ? argv[2] : NULL);
        CHECK(atexit(on_exit_handler) == 0, "atexit");
        printf("c-exit: return %d from main\n", n);
        return n;
    }
    int n = code(argc > 1 ? argv[1] : NULL);
    CHECK(atexit(on_exit_handler) == 0, "atexit");
    printf("c-exit: exit(%d)\n", n);
    exit(n);
}
