/* Shared by the C guests: CHECK(cond, fmt, ...) ends the program with status 1 and a clear
 * message on stderr (the program, the line, the condition and errno) when cond is false,
 * so a broken runtime cannot pass silently. */
#ifndef GUEST_CHECK_H
#define GUEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *guest_name = "c-guest";

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            int saved_errno_ = errno;                                                      \
            fflush(stdout);                                                                \
            fprintf(stderr, "%s: FAILED at line %d: ", guest_name, __LINE__);             \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fprintf(stderr, " (check `%s`; errno %d: %s)\n", #cond, saved_errno_,         \
                    strerror(saved_errno_));                                               \
            exit(1);                                                                       \
        }                                                                                  \
    } while (0)

/* The name of an errno value the programs expect, for stable output. */
static inline const char *errno_name(int e) {
    switch (e) {
    case 0: return "0";
    case EACCES: return "EACCES";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP";
    case ENOENT: return "ENOENT";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case ENOTDIR: return "ENOTDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EPERM: return "EPERM";
    default: return "(other)";
    }
}

/* FNV-1a, 64-bit. */
static inline unsigned long long fnv64(const void *data, size_t len) {
    const unsigned char *p = data;
    unsigned long long h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

#endif
