// The one piece of the C++ exception runtime that is not in the LLVM sources bundled with
// zig: the definition of the wasm tag `__cpp_exception`, which clang's -fwasm-exceptions
// code refers to (every `catch` of a C++ exception matches this tag) and which libunwind's
// Unwind-wasm.c throws with `__builtin_wasm_throw(0, exception_object)`. Its payload is
// one pointer: the `_Unwind_Exception *` inside libc++abi's `__cxa_exception` header.
//
// Upstream LLVM defines it in compiler-rt (compiler-rt/lib/builtins/wasm/__cpp_exception.S,
// Apache-2.0 WITH LLVM-exception); zig's compiler-rt is its own and has no such file, so
// build-eh.sh assembles this copy of it into libunwind.a. Same content as upstream's.

#ifdef __wasm_exception_handling__

#ifdef __wasm64__
#define PTR i64
#else
#define PTR i32
#endif

.globl __cpp_exception
.tagtype __cpp_exception PTR
__cpp_exception:

#endif // __wasm_exception_handling__
