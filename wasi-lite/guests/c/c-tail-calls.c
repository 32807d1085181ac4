/* Tail calls (the wasm tail-call proposal: return_call and return_call_indirect), from C
 * with __attribute__((musttail)) compiled with the tail-call feature (see ../build-eh.sh).
 * Every test recurses far deeper than any call stack allows, so a runtime that runs
 * return_call as an ordinary call followed by a return exhausts its stack and traps.
 *
 *   mutual     is_even/is_odd on 10,000,000 and 9,999,999: mutual direct tail calls
 *   ring       three functions calling each other in a ring, 30,000,000 calls, carrying
 *              an accumulator (return_call with several i64/i32 arguments)
 *   arity      tail calls between functions of different signatures (1, 2, 3 and 4
 *              parameters), about 4,000,000 deep; musttail needs identical signatures, so
 *              these are ordinary calls in tail position that LLVM turns into return_call
 *              when the feature is on (build-eh.sh checks it did)
 *   interp     a threaded bytecode interpreter: every handler ends with an indirect tail
 *              call through the opcode table (return_call_indirect); runs a program of
 *              8,000,005 instructions and checks it against the same computation in C
 *   fsm        a state machine over 2,000,000 generated characters: each state is a
 *              function and each transition an indirect tail call through a table
 *              indexed by state and character class; checked against a loop
 *
 * Deterministic output; exit 0. A failed check prints FAILED on stderr and exits 1.
 */
#include "check.h"
#include <stdint.h>

#define MUSTTAIL __attribute__((musttail))
#define NOINLINE __attribute__((noinline))

/* ---- mutual recursion ------------------------------------------------------------------ */

NOINLINE static int is_odd(uint32_t n);

NOINLINE static int is_even(uint32_t n) {
    if (n == 0) return 1;
    MUSTTAIL return is_odd(n - 1);
}

NOINLINE static int is_odd(uint32_t n) {
    if (n == 0) return 0;
    MUSTTAIL return is_even(n - 1);
}

static void test_mutual(void) {
    int a = is_even(10000000), b = is_odd(10000000), c = is_even(9999999), d = is_odd(9999999);
    printf("mutual: is_even(10000000)=%d is_odd(10000000)=%d is_even(9999999)=%d "
           "is_odd(9999999)=%d\n", a, b, c, d);
    CHECK(a == 1 && b == 0 && c == 0 && d == 1, "parity");
}

/* ---- a ring of three with accumulators --------------------------------------------------- */

NOINLINE static uint64_t ring_b(uint32_t n, uint64_t acc, uint32_t mix);
NOINLINE static uint64_t ring_c(uint32_t n, uint64_t acc, uint32_t mix);

NOINLINE static uint64_t ring_a(uint32_t n, uint64_t acc, uint32_t mix) {
    if (n == 0) return acc ^ mix;
    MUSTTAIL return ring_b(n - 1, acc + n, mix * 31 + 1);
}

NOINLINE static uint64_t ring_b(uint32_t n, uint64_t acc, uint32_t mix) {
    if (n == 0) return acc + mix;
    MUSTTAIL return ring_c(n - 1, acc * 3 + n, mix ^ n);
}

NOINLINE static uint64_t ring_c(uint32_t n, uint64_t acc, uint32_t mix) {
    if (n == 0) return acc - mix;
    MUSTTAIL return ring_a(n - 1, acc ^ ((uint64_t)n << 17), mix + 7);
}

static uint64_t ring_loop(uint32_t n, uint64_t acc, uint32_t mix) {
    for (int which = 0;; which = (which + 1) % 3, n--) {
        if (n == 0) return which == 0 ? acc ^ mix : which == 1 ? acc + mix : acc - mix;
        if (which == 0) { acc += n; mix = mix * 31 + 1; }
        else if (which == 1) { acc = acc * 3 + n; mix ^= n; }
        else { acc ^= (uint64_t)n << 17; mix += 7; }
    }
}

static void test_ring(void) {
    uint64_t got = ring_a(30000000, 1, 2), want = ring_loop(30000000, 1, 2);
    printf("ring: 30000000 calls -> %016llx (loop: %016llx)\n", (unsigned long long)got,
           (unsigned long long)want);
    CHECK(got == want, "ring result");
}

/* ---- tail calls between different signatures -------------------------------------------- */

/* musttail needs identical signatures, so these are ordinary calls in tail position, which
 * LLVM emits as return_call when the feature is on and the call is directly followed by the
 * return. That is why each function calls on unconditionally, and the one decision (stop or
 * go round again) is an indirect musttail call through a table of two. */
typedef uint64_t (*Arity4)(uint32_t n, uint64_t acc, uint32_t k, uint64_t m);
NOINLINE static uint64_t arity3(uint32_t n, uint64_t acc, uint32_t k);
NOINLINE static uint64_t arity4(uint32_t n, uint64_t acc, uint32_t k, uint64_t m);

NOINLINE static uint64_t arity2(uint32_t n, uint64_t acc) {
    return arity3(n, acc * 5, n & 7);
}

NOINLINE static uint64_t arity1(uint32_t n) {
    return arity2(n, n);
}

NOINLINE static uint64_t arity3(uint32_t n, uint64_t acc, uint32_t k) {
    return arity4(n, acc + k, k + 1, acc >> 3);
}

NOINLINE static uint64_t arity_done(uint32_t n, uint64_t acc, uint32_t k, uint64_t m) {
    (void)n;
    return (acc ^ m) + k;
}

NOINLINE static uint64_t arity_again(uint32_t n, uint64_t acc, uint32_t k, uint64_t m) {
    return arity2(n - 1, (acc ^ m) + k);
}

static Arity4 const arity_next[2] = {arity_again, arity_done};

NOINLINE static uint64_t arity4(uint32_t n, uint64_t acc, uint32_t k, uint64_t m) {
    MUSTTAIL return arity_next[n == 0](n, acc, k, m);
}

static uint64_t arity_loop(uint32_t n) {
    uint64_t acc = n;
    for (;; n--) {
        uint32_t k = n & 7;
        uint64_t m = (acc * 5) >> 3;
        acc = acc * 5 + k;
        k++;
        if (n == 0) return (acc ^ m) + k;
        acc = (acc ^ m) + k;
    }
}

static void test_arity(void) {
    uint64_t got = arity1(1000000), want = arity_loop(1000000);
    printf("arity: 4000000 calls across 1-4 parameters -> %016llx (loop: %016llx)\n",
           (unsigned long long)got, (unsigned long long)want);
    CHECK(got == want, "arity result");
}

/* ---- a threaded interpreter ------------------------------------------------------------ */

enum { OP_HALT, OP_LOADI, OP_ADD, OP_ADDI, OP_MUL, OP_XOR, OP_SHRI, OP_JLT, OP_MOV, OP_COUNT };

typedef struct {
    uint8_t op, a, b, c; /* registers */
    int32_t imm;         /* immediate or jump target */
} Insn;

typedef struct {
    uint64_t r[8];
    uint64_t executed;
} Vm;

typedef uint64_t (*Handler)(const Insn *code, const Insn *pc, Vm *vm);
static const Handler handlers[OP_COUNT];

/* Each handler does its work and tail-calls the next instruction's handler through the
 * table: one return_call_indirect per instruction, and no stack growth. */
#define NEXT(pc_)                                                                          \
    do {                                                                                   \
        const Insn *next_ = (pc_);                                                         \
        vm->executed++;                                                                    \
        MUSTTAIL return handlers[next_->op](code, next_, vm);                              \
    } while (0)

static uint64_t op_halt(const Insn *code, const Insn *pc, Vm *vm) {
    (void)code;
    return vm->r[pc->a];
}
static uint64_t op_loadi(const Insn *code, const Insn *pc, Vm *vm) {
    vm->r[pc->a] = (uint64_t)(int64_t)pc->imm;
    NEXT(pc + 1);
}
static uint64_t op_add(const Insn *code, const Insn *pc, Vm *vm) {
    vm->r[pc->a] = vm->r[pc->b] + vm->r[pc->c];
    NEXT(pc + 1);
}
static uint64_t op_addi(const Insn *code, const Insn *pc, Vm *vm) {
    vm->r[pc->a] = vm->r[pc->b] + (uint64_t)(int64_t)pc->imm;
    NEXT(pc + 1);
}
static uint64_t op_mul(const Insn *code, const Insn *pc, Vm *vm) {
    vm->r[pc->a] = vm->r[pc->b] * vm->r[pc->c];
    NEXT(pc + 1);
}
static uint64_t op_xor(const Insn *code, const Insn *pc, Vm *vm) {
    vm->r[pc->a] = vm->r[pc->b] ^ vm->r[pc->c];
    NEXT(pc + 1);
}
static uint64_t op_shri(const Insn *code, const Insn *pc, Vm *vm) {
    vm->r[pc->a] = vm->r[pc->b] >> (pc->imm & 63);
    NEXT(pc + 1);
}
static uint64_t op_jlt(const Insn *code, const Insn *pc, Vm *vm) {
    if (vm->r[pc->a] < vm->r[pc->b]) NEXT(code + pc->imm);
    NEXT(pc + 1);
}
static uint64_t op_mov(const Insn *code, const Insn *pc, Vm *vm) {
    vm->r[pc->a] = vm->r[pc->b];
    NEXT(pc + 1);
}

static const Handler handlers[OP_COUNT] = {
    [OP_HALT] = op_halt, [OP_LOADI] = op_loadi, [OP_ADD] = op_add, [OP_ADDI] = op_addi,
    [OP_MUL] = op_mul,   [OP_XOR] = op_xor,     [OP_SHRI] = op_shri, [OP_JLT] = op_jlt,
    [OP_MOV] = op_mov,
};

static void test_interp(void) {
    /* r0 = i, r1 = n, r2 = sum, r3..r5 scratch:
     *   for (i = 0; i < n; i++) { t = i * i; t ^= t >> 7; sum = sum * 3 + t; }  return sum */
    const int32_t n = 1000000;
    static const Insn prog_template[] = {
        {OP_LOADI, 0, 0, 0, 0},  /* 0: r0 = 0 */
        {OP_LOADI, 1, 0, 0, 0},  /* 1: r1 = n (patched) */
        {OP_LOADI, 2, 0, 0, 1},  /* 2: r2 = 1 */
        {OP_LOADI, 6, 0, 0, 3},  /* 3: r6 = 3 */
        {OP_JLT, 0, 1, 0, 6},    /* 4: if r0 < r1 goto 6 */
        {OP_HALT, 2, 0, 0, 0},   /* 5: return r2 */
        {OP_MUL, 3, 0, 0, 0},    /* 6: r3 = r0 * r0 */
        {OP_SHRI, 4, 3, 0, 7},   /* 7: r4 = r3 >> 7 */
        {OP_XOR, 3, 3, 4, 0},    /* 8: r3 ^= r4 */
        {OP_MUL, 5, 2, 6, 0},    /* 9: r5 = r2 * 3 */
        {OP_ADD, 2, 5, 3, 0},    /* 10: r2 = r5 + r3 */
        {OP_ADDI, 0, 0, 0, 1},   /* 11: r0 += 1 */
        {OP_MOV, 7, 0, 0, 0},    /* 12: r7 = r0 (a no-op, one more dispatch) */
        {OP_JLT, 0, 1, 0, 6},    /* 13: if r0 < r1 goto 6 */
        {OP_HALT, 2, 0, 0, 0},   /* 14: return r2 */
    };
    Insn prog[sizeof prog_template / sizeof prog_template[0]];
    memcpy(prog, prog_template, sizeof prog);
    prog[1].imm = n;
    Vm vm = {{0}, 0};
    uint64_t got = handlers[prog[0].op](prog, prog, &vm);
    uint64_t want = 1;
    for (uint64_t i = 0; i < (uint64_t)n; i++) {
        uint64_t t = i * i;
        t ^= t >> 7;
        want = want * 3 + t;
    }
    printf("interp: %llu instructions dispatched by tail calls -> %016llx (C: %016llx)\n",
           (unsigned long long)vm.executed, (unsigned long long)got,
           (unsigned long long)want);
    CHECK(got == want, "interpreter result");
    CHECK(vm.executed == 5 + 8ULL * (uint64_t)n, "instruction count");
}

/* ---- a state machine ----------------------------------------------------------------- */

/* Character classes and states: it counts words (letters), numbers (digits, with their
 * sum), and punctuation runs, over text made by a fixed LCG. */
enum { CL_SPACE, CL_ALPHA, CL_DIGIT, CL_PUNCT, CL_END, CL_COUNT };
enum { ST_SPACE, ST_WORD, ST_NUMBER, ST_PUNCT, ST_COUNT };

typedef struct {
    uint64_t words, numbers, puncts, number_sum, current, transitions;
} Tally;

typedef uint64_t (*State)(const uint8_t *p, Tally *t);
static const State states[ST_COUNT][CL_COUNT];
static uint8_t char_class[256];

#define GO(state_, p_)                                                                     \
    do {                                                                                   \
        const uint8_t *np_ = (p_);                                                         \
        t->transitions++;                                                                  \
        MUSTTAIL return states[state_][char_class[*np_]](np_, t);                          \
    } while (0)

static uint64_t enter_space(const uint8_t *p, Tally *t) { GO(ST_SPACE, p + 1); }
static uint64_t enter_word(const uint8_t *p, Tally *t) { t->words++; GO(ST_WORD, p + 1); }
static uint64_t stay_word(const uint8_t *p, Tally *t) { GO(ST_WORD, p + 1); }
static uint64_t stay_punct(const uint8_t *p, Tally *t) { GO(ST_PUNCT, p + 1); }
static uint64_t enter_number(const uint8_t *p, Tally *t) {
    t->numbers++;
    t->current = (uint64_t)(*p - '0');
    GO(ST_NUMBER, p + 1);
}
static uint64_t more_digits(const uint8_t *p, Tally *t) {
    t->current = t->current * 10 + (uint64_t)(*p - '0');
    GO(ST_NUMBER, p + 1);
}
static uint64_t enter_punct(const uint8_t *p, Tally *t) { t->puncts++; GO(ST_PUNCT, p + 1); }
static uint64_t finish(const uint8_t *p, Tally *t) {
    (void)p;
    return t->transitions;
}
/* Leaving a number adds it up, then handles the character in the state it leads to. */
static uint64_t end_number(const uint8_t *p, Tally *t) {
    t->number_sum += t->current;
    t->current = 0;
    MUSTTAIL return states[ST_SPACE][char_class[*p]](p, t);
}

static const State states[ST_COUNT][CL_COUNT] = {
    [ST_SPACE] = {enter_space, enter_word, enter_number, enter_punct, finish},
    [ST_WORD] = {enter_space, stay_word, enter_number, enter_punct, finish},
    [ST_NUMBER] = {end_number, end_number, more_digits, end_number, end_number},
    [ST_PUNCT] = {enter_space, enter_word, enter_number, stay_punct, finish},
};

static void test_fsm(void) {
    enum { LEN = 2000000 };
    static uint8_t text[LEN + 1];
    static const char alphabet[] = "      abcdefghijklmnopqrstuvwxyz0123456789.,;!?";
    uint32_t x = 12345;
    for (int i = 0; i < LEN; i++) {
        x = x * 1103515245u + 12345u;
        text[i] = (uint8_t)alphabet[(x >> 16) % (sizeof alphabet - 1)];
    }
    text[LEN] = 0;
    for (int c = 0; c < 256; c++) {
        char_class[c] = c == 0 ? CL_END : c == ' ' ? CL_SPACE
                      : (c >= 'a' && c <= 'z') ? CL_ALPHA
                      : (c >= '0' && c <= '9') ? CL_DIGIT : CL_PUNCT;
    }
    Tally t = {0};
    uint64_t transitions = states[ST_SPACE][char_class[text[0]]](text, &t);

    /* The same counts with a plain loop. */
    Tally w = {0};
    int prev = CL_SPACE;
    for (int i = 0; i <= LEN; i++) {
        int cl = char_class[text[i]];
        if (prev == CL_DIGIT && cl != CL_DIGIT) { w.number_sum += w.current; w.current = 0; }
        if (cl == CL_ALPHA && prev != CL_ALPHA) w.words++;
        if (cl == CL_DIGIT) {
            if (prev != CL_DIGIT) { w.numbers++; w.current = 0; }
            w.current = w.current * 10 + (uint64_t)(text[i] - '0');
        }
        if (cl == CL_PUNCT && prev != CL_PUNCT) w.puncts++;
        prev = cl;
    }
    printf("fsm: %d chars, %llu transitions: %llu words, %llu numbers summing to %llu, "
           "%llu punctuation runs\n", LEN, (unsigned long long)transitions,
           (unsigned long long)t.words, (unsigned long long)t.numbers,
           (unsigned long long)t.number_sum, (unsigned long long)t.puncts);
    CHECK(t.words == w.words && t.numbers == w.numbers && t.puncts == w.puncts &&
          t.number_sum == w.number_sum, "state machine counts");
    CHECK(transitions >= LEN, "one transition per character at least");
}

int main(void) {
    guest_name = "c-tail-calls";
    test_mutual();
    test_ring();
    test_arity();
    test_interp();
    test_fsm();
    printf("c-tail-calls: all ok\n");
    return 0;
}
