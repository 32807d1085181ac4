// C++ exceptions compiled to WebAssembly exception handling (clang -fwasm-exceptions): real
// throw/try/catch, unwound by the runtime with the wasm `throw` instruction and the
// `__cpp_exception` tag, caught by wasm handlers (legacy try/catch/rethrow/delegate or
// try_table/throw_ref, depending on the build; see ../build-eh.sh). The C++ ABI runtime is
// LLVM's own libc++abi and libunwind (Unwind-wasm.c), built with exceptions by build-eh.sh.
//
// What it covers, one section per line group of the output:
//   unwind    a throw 7 calls deep, through frames whose destructors print while unwinding
//             (std::uncaught_exceptions() is 1 in them), caught by a base class reference
//   types     catch by type: a class hierarchy (custom base derived from std::exception),
//             int, const char*, a plain struct by value, a pointer caught as a base pointer,
//             std::out_of_range thrown by libc++ (vector::at), std::bad_alloc thrown by
//             operator new, std::runtime_error, and catch (...)
//   rethrow   `throw;` from a catch block to an outer handler (the same object, modified in
//             between), through a frame with a destructor, and catch (...) + throw;
//   nested    try inside a catch block (the first exception stays current), a new exception
//             thrown from a catch block replacing the one being handled
//   ctor      a constructor's function-try-block: members built before the throw are
//             destroyed, the handler sees the exception and it is rethrown implicitly
//   eptr      std::exception_ptr: current_exception, rethrow_exception, make_exception_ptr,
//             std::throw_with_nested / rethrow_if_nested
//   indirect  throws through a virtual call, a function pointer, a lambda in std::function
//   loop      100000 throws caught 3 frames up (a small benchmark), with a checksum
//
// Deterministic output on stdout; exit 0. Any failed check prints FAILED on stderr and exits
// with status 1, so a runtime that catches the wrong handler cannot pass quietly.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#define CHECK(cond, what)                                                                    \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            std::fflush(stdout);                                                             \
            std::fprintf(stderr, "cxx-exceptions: FAILED at line %d: %s (check `%s`)\n",     \
                         __LINE__, what, #cond);                                             \
            std::exit(1);                                                                    \
        }                                                                                    \
    } while (0)

// ---- the exception types -----------------------------------------------------------------

// A custom base derived from std::exception, and two kinds derived from it.
struct AppError : std::exception {
    int code;
    int hops = 0; // incremented by handlers that rethrow, to show the object is shared
    explicit AppError(int c) : code(c) {}
    const char *what() const noexcept override { return "AppError"; }
};
struct ParseError : AppError {
    int line;
    ParseError(int c, int l) : AppError(c), line(l) {}
    const char *what() const noexcept override { return "ParseError"; }
};
struct IoError : AppError {
    explicit IoError(int c) : AppError(c) {}
    const char *what() const noexcept override { return "IoError"; }
};
// Not related to std::exception at all.
struct Point {
    int x, y;
};
struct Shape {
    virtual ~Shape() = default;
    virtual const char *name() const { return "Shape"; }
};
struct Circle : Shape {
    const char *name() const override { return "Circle"; }
};

// ---- unwinding through frames with destructors --------------------------------------------

static int live_guards = 0;

struct Guard {
    int level;
    explicit Guard(int l) : level(l) { live_guards++; }
    ~Guard() {
        live_guards--;
        std::printf("guard: ~Guard(%d) uncaught_exceptions=%d\n", level,
                    std::uncaught_exceptions());
    }
};

__attribute__((noinline)) static int descend(int level, int depth) {
    Guard g(level);
    if (level == depth) throw ParseError(100 + level, level * 10);
    // The addition after the call keeps this from being a tail call.
    return descend(level + 1, depth) + 1;
}

static void test_unwind() {
    try {
        int r = descend(1, 7);
        std::printf("unwind: returned %d (wrong)\n", r);
        CHECK(false, "descend returned");
    } catch (const AppError &e) {
        std::printf("unwind: caught %s code=%d live_guards=%d uncaught_exceptions=%d\n",
                    e.what(), e.code, live_guards, std::uncaught_exceptions());
        CHECK(e.code == 107 && live_guards == 0, "unwind result");
        CHECK(dynamic_cast<const ParseError *>(&e) != nullptr, "dynamic type");
        CHECK(dynamic_cast<const ParseError &>(e).line == 70, "ParseError line");
    }
}

// ---- catch by type ------------------------------------------------------------------------

static Circle the_circle;

__attribute__((noinline)) static void raise(int kind) {
    switch (kind) {
    case 0: throw 42;
    case 1: throw ParseError(1, 11);
    case 2: throw IoError(2);
    case 3: {
        std::vector<int> v(3, 7);
        std::printf("types:   (vector.at(10) = %d)\n", v.at(10)); // libc++ throws
        break;
    }
    case 4: {
        // operator new's request can never be met: libc++ throws std::bad_alloc.
        void *p = ::operator new(SIZE_MAX - 4096);
        std::printf("types:   (operator new returned %p)\n", p);
        break;
    }
    case 5: throw std::runtime_error("runtime " + std::to_string(kind));
    case 6: throw "a string literal";
    case 7: throw Point{3, 4};
    case 8: throw static_cast<Circle *>(&the_circle);
    case 9: throw 2.5;
    case 10: throw std::string("a std::string");
    default: break;
    }
}

static const char *classify(int kind) {
    try {
        raise(kind);
        return "no exception";
    } catch (const ParseError &e) {
        return e.line == 11 ? "ParseError (by exact type)" : "ParseError?";
    } catch (const AppError &e) {
        return e.code == 2 ? "AppError& (an IoError, by base)" : "AppError?";
    } catch (const std::out_of_range &) {
        return "std::out_of_range (from libc++)";
    } catch (const std::bad_alloc &) {
        return "std::bad_alloc (from operator new)";
    } catch (const std::exception &e) {
        return std::strcmp(e.what(), "runtime 5") == 0 ? "std::exception& (runtime_error)"
                                                        : "std::exception?";
    } catch (int v) {
        return v == 42 ? "int" : "int?";
    } catch (const char *s) {
        return std::strcmp(s, "a string literal") == 0 ? "const char*" : "const char*?";
    } catch (Point p) {
        return p.x == 3 && p.y == 4 ? "Point (by value)" : "Point?";
    } catch (const Shape *s) {
        return std::strcmp(s->name(), "Circle") == 0 ? "const Shape* (a Circle*)" : "Shape?";
    } catch (...) {
        return "... (catch-all)";
    }
}

static void test_types() {
    static const char *const want[] = {
        "int",
        "ParseError (by exact type)",
        "AppError& (an IoError, by base)",
        "std::out_of_range (from libc++)",
        "std::bad_alloc (from operator new)",
        "std::exception& (runtime_error)",
        "const char*",
        "Point (by value)",
        "const Shape* (a Circle*)",
        "... (catch-all)",
        "... (catch-all)",
        "no exception",
    };
    for (int kind = 0; kind < 12; kind++) {
        const char *got = classify(kind);
        std::printf("types: kind %2d -> %s\n", kind, got);
        CHECK(std::strcmp(got, want[kind]) == 0, "handler chosen");
    }
    // A handler for a type that does not match is skipped; the exception goes on upwards.
    int outer = 0;
    try {
        try {
            raise(2);
        } catch (const ParseError &) {
            CHECK(false, "IoError caught as ParseError");
        } catch (int) {
            CHECK(false, "IoError caught as int");
        }
    } catch (const IoError &e) {
        outer = e.code;
    }
    std::printf("types: unmatched handlers skipped, outer caught code %d\n", outer);
    CHECK(outer == 2, "outer handler");
}

// ---- rethrow ------------------------------------------------------------------------------

static const void *first_seen = nullptr;

__attribute__((noinline)) static void rethrow_inner() {
    Guard g(100);
    try {
        throw IoError(7);
    } catch (AppError &e) {
        e.hops++;
        first_seen = &e;
        std::printf("rethrow: inner caught %s, hops=%d, rethrowing\n", e.what(), e.hops);
        throw; // the same object, through Guard(100)
    }
}

__attribute__((noinline)) static void rethrow_middle() {
    try {
        rethrow_inner();
    } catch (...) {
        std::printf("rethrow: middle caught (...), rethrowing\n");
        throw;
    }
}

static void test_rethrow() {
    try {
        rethrow_middle();
    } catch (IoError &e) {
        e.hops++;
        std::printf("rethrow: outer caught %s code=%d hops=%d same_object=%s\n", e.what(),
                    e.code, e.hops, &e == first_seen ? "yes" : "no");
        CHECK(e.hops == 2 && &e == first_seen, "rethrown object");
    }
    // Rethrowing a non-class exception caught by (...).
    try {
        try {
            throw 1234;
        } catch (...) {
            throw;
        }
    } catch (int v) {
        std::printf("rethrow: int rethrown from (...) caught as int %d\n", v);
        CHECK(v == 1234, "rethrown int");
    }
}

// ---- nested try blocks inside handlers ---------------------------------------------------

static void test_nested() {
    int steps = 0;
    try {
        throw ParseError(1, 1);
    } catch (const ParseError &outer) {
        steps++;
        try {
            throw std::runtime_error("inner");
        } catch (const std::exception &inner) {
            steps++;
            std::printf("nested: inner %s caught while handling %s\n", inner.what(),
                        outer.what());
            // The handled exception is still current after the inner handler ends.
        }
        try {
            throw;
        } catch (const AppError &again) {
            steps++;
            std::printf("nested: rethrew the outer one inside its own handler: %s line=%d\n",
                        again.what(), static_cast<const ParseError &>(again).line);
        }
    }
    // A new exception thrown from a handler replaces the one being handled.
    try {
        try {
            throw 5;
        } catch (int v) {
            throw IoError(v * 10);
        }
    } catch (const IoError &e) {
        steps++;
        std::printf("nested: new exception from a handler: %s code=%d\n", e.what(), e.code);
        CHECK(e.code == 50, "replacement exception");
    }
    // Three levels of handlers each with its own try.
    int depth = 0;
    try {
        throw 1;
    } catch (int) {
        try {
            throw 2;
        } catch (int) {
            try {
                throw 3;
            } catch (int v) {
                depth = v;
            }
        }
    }
    steps++;
    std::printf("nested: three handlers deep, innermost caught %d, steps=%d\n", depth, steps);
    CHECK(depth == 3 && steps == 5, "nested steps");
}

// ---- constructor function-try-block -------------------------------------------------------

struct Part {
    const char *name;
    explicit Part(const char *n, bool fail) : name(n) {
        if (fail) throw std::logic_error(std::string("cannot build ") + n);
        std::printf("ctor:   built %s\n", name);
    }
    ~Part() { std::printf("ctor:   destroyed %s\n", name); }
};

struct Machine {
    Part a, b, c;
    Machine() try : a("a", false), b("b", false), c("c", true) {
        std::printf("ctor: (body must not run)\n");
    } catch (const std::logic_error &e) {
        std::printf("ctor: function-try-block saw \"%s\"\n", e.what());
        // falls off the end: rethrown implicitly
    }
};

static void test_ctor() {
    try {
        Machine m;
        CHECK(false, "Machine constructed");
    } catch (const std::logic_error &e) {
        std::printf("ctor: caught after the implicit rethrow: \"%s\"\n", e.what());
        CHECK(std::strcmp(e.what(), "cannot build c") == 0, "logic_error message");
    }
}

// ---- std::exception_ptr and nested exceptions ---------------------------------------------

static void test_eptr() {
    std::exception_ptr saved;
    try {
        throw ParseError(9, 99);
    } catch (...) {
        saved = std::current_exception();
    }
    CHECK(saved != nullptr, "current_exception");
    for (int round = 1; round <= 2; round++) {
        try {
            std::rethrow_exception(saved);
        } catch (ParseError &e) {
            e.hops++;
            std::printf("eptr: rethrow_exception round %d: %s line=%d hops=%d\n", round,
                        e.what(), e.line, e.hops);
            CHECK(e.hops == round, "exception_ptr shares the object");
        }
    }
    std::exception_ptr made = std::make_exception_ptr(Point{7, 8});
    try {
        std::rethrow_exception(made);
    } catch (const Point &p) {
        std::printf("eptr: make_exception_ptr(Point) rethrown: %d,%d\n", p.x, p.y);
    }
    try {
        try {
            throw IoError(3);
        } catch (...) {
            std::throw_with_nested(std::runtime_error("outer context"));
        }
    } catch (const std::runtime_error &e) {
        std::printf("eptr: throw_with_nested outer: %s\n", e.what());
        try {
            std::rethrow_if_nested(e);
            CHECK(false, "no nested exception");
        } catch (const IoError &inner) {
            std::printf("eptr: rethrow_if_nested inner: %s code=%d\n", inner.what(),
                        inner.code);
        }
    }
}

// ---- throwing through indirect calls ------------------------------------------------------

struct Handler {
    virtual ~Handler() = default;
    virtual int handle(int v) = 0;
};
struct Strict : Handler {
    int handle(int v) override {
        Guard g(200);
        if (v > 10) throw std::out_of_range("value " + std::to_string(v) + " > 10");
        return v * 2;
    }
};

static int thrower(int v) {
    if (v % 2) throw AppError(v);
    return v;
}

static void test_indirect() {
    Strict strict;
    Handler *volatile h = &strict;
    try {
        std::printf("indirect: virtual ok %d\n", h->handle(4));
        h->handle(11);
    } catch (const std::out_of_range &e) {
        std::printf("indirect: virtual call threw: %s\n", e.what());
    }
    int (*volatile fp)(int) = thrower;
    int caught = 0;
    for (int i = 0; i < 6; i++) {
        try {
            fp(i);
        } catch (const AppError &e) {
            caught += e.code;
        }
    }
    std::printf("indirect: function pointer threw for odd values, sum %d\n", caught);
    CHECK(caught == 1 + 3 + 5, "function pointer throws");
    std::function<void(int)> fn = [](int n) {
        Guard g(300);
        if (n == 3) throw Point{n, -n};
    };
    try {
        for (int i = 0; i < 5; i++) fn(i);
    } catch (Point p) {
        std::printf("indirect: std::function lambda threw Point{%d,%d}\n", p.x, p.y);
    }
}

// ---- a loop that throws many times: a small benchmark ------------------------------------

struct Counter {
    static long created, destroyed;
    Counter() { created++; }
    ~Counter() { destroyed++; }
};
long Counter::created = 0, Counter::destroyed = 0;

__attribute__((noinline)) static int leaf(uint32_t i) {
    Counter c;
    uint32_t x = i * 2654435761u;
    switch (x >> 30) {
    case 0: return static_cast<int>(x & 0xff); // no throw
    case 1: throw static_cast<int>(x & 0xffff);
    case 2: throw IoError(static_cast<int>(x & 0xfff));
    default: throw ParseError(static_cast<int>(x & 0xff), static_cast<int>(i & 0xf));
    }
}
__attribute__((noinline)) static int mid(uint32_t i) {
    Counter c;
    return leaf(i) + 1;
}
__attribute__((noinline)) static int top(uint32_t i) {
    Counter c;
    return mid(i) + 1;
}

static void test_loop() {
    const uint32_t n = 100000;
    uint64_t sum = 0xcbf29ce484222325ULL;
    unsigned thrown_int = 0, thrown_parse = 0, thrown_io = 0, returned = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t v;
        try {
            v = static_cast<uint64_t>(top(i));
            returned++;
        } catch (int e) {
            v = 0x10000u + static_cast<uint64_t>(e);
            thrown_int++;
        } catch (const ParseError &e) {
            v = 0x20000u + static_cast<uint64_t>(e.code * 16 + e.line);
            thrown_parse++;
        } catch (const AppError &e) {
            v = 0x30000u + static_cast<uint64_t>(e.code);
            thrown_io++;
        }
        sum = (sum ^ v) * 0x100000001b3ULL;
    }
    // The same checksum computed without exceptions.
    uint64_t want = 0xcbf29ce484222325ULL;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t x = i * 2654435761u;
        uint64_t v;
        switch (x >> 30) {
        case 0: v = (x & 0xff) + 2; break;
        case 1: v = 0x10000u + (x & 0xffff); break;
        case 2: v = 0x30000u + (x & 0xfff); break;
        default: v = 0x20000u + (x & 0xff) * 16 + (i & 0xf); break;
        }
        want = (want ^ v) * 0x100000001b3ULL;
    }
    std::printf("loop: %u iterations: returned %u, int %u, ParseError %u, IoError %u\n", n,
                returned, thrown_int, thrown_parse, thrown_io);
    std::printf("loop: checksum %016llx (expected %016llx)\n", (unsigned long long)sum,
                (unsigned long long)want);
    std::printf("loop: Counter objects created %ld, destroyed %ld\n", Counter::created,
                Counter::destroyed);
    CHECK(sum == want, "loop checksum");
    CHECK(Counter::created == 3L * n && Counter::destroyed == Counter::created,
          "every frame's destructor ran");
    CHECK(thrown_int + thrown_parse + thrown_io + returned == n, "iteration count");
}

int main() {
    test_unwind();
    test_types();
    test_rethrow();
    test_nested();
    test_ctor();
    test_eptr();
    test_indirect();
    test_loop();
    CHECK(std::uncaught_exceptions() == 0 && std::current_exception() == nullptr,
          "no exception left");
    std::printf("cxx-exceptions: all ok\n");
    return 0;
}
