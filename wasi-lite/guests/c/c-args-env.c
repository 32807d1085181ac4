/* argv and the environment through wasi-libc: prints every argument after the program
 * name, then the environment sorted with its count, then the variables named by
 * --show=NAME arguments; setenv/unsetenv/getenv work in-process.
 *
 * Deterministic: compare stdout exactly. Run with the env given by --env options only.
 */
#include "check.h"

extern char **environ;

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    guest_name = "c-args-env";
    CHECK(argc >= 1 && argv[0] != NULL, "no argv[0]");
    CHECK(argv[argc] == NULL, "argv is not NULL-terminated");
    printf("argc: %d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]: [%s]\n", i, argv[i]);

    size_t count = 0;
    while (environ[count]) count++;
    char **sorted = malloc((count + 1) * sizeof *sorted);
    CHECK(sorted != NULL, "malloc");
    memcpy(sorted, environ, (count + 1) * sizeof *sorted);
    qsort(sorted, count, sizeof *sorted, cmp);
    for (size_t i = 0; i < count; i++) {
        printf("env: %s\n", sorted[i]);
        const char *eq = strchr(sorted[i], '=');
        CHECK(eq != NULL, "environment entry without '=': %s", sorted[i]);
        char *name = strndup(sorted[i], (size_t)(eq - sorted[i]));
        CHECK(name != NULL, "strndup");
        const char *v = getenv(name);
        CHECK(v == eq + 1, "getenv(%s) does not point into environ", name);
        free(name);
    }
    printf("environ count: %zu\n", count);
    free(sorted);

    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--show=", 7) != 0) continue;
        const char *name = argv[i] + 7, *v = getenv(name);
        if (v) printf("getenv(%s) = [%s]\n", name, v);
        else printf("getenv(%s) = NULL\n", name);
    }

    CHECK(setenv("WISP_GUEST_SET", "in-process", 1) == 0, "setenv");
    CHECK(strcmp(getenv("WISP_GUEST_SET"), "in-process") == 0, "getenv after setenv");
    CHECK(unsetenv("WISP_GUEST_SET") == 0 && getenv("WISP_GUEST_SET") == NULL, "unsetenv");
    puts("setenv/unsetenv: ok");
    return 0;
}
