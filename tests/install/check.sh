#!/bin/sh
# Installs the build tree $1 into a temporary prefix, then builds and runs a
# consumer twice: with pkg-config (kmm-linux) and with CMake's find_package(kmm).
set -eu
build="$1"
src="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
libdir="$(ls -d "$tmp"/prefix/lib*/pkgconfig | head -n1)"
libdir="${libdir%/pkgconfig}"
test -f "$tmp/prefix/include/kmm/kmm.h"
test -f "$tmp/prefix/include/kmm/linux/gfp.h"
test -f "$libdir/libkmm.a"
# pkg-config, shared library
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc -o "$tmp/pc-consumer" "$src/consumer.c" $(pkg-config --cflags --libs kmm-linux) -Wl,-rpath,"$libdir"
"$tmp/pc-consumer"
echo "pkg-config consumer: ok"
# CMake package
cmake -S "$src" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cm" >/dev/null
LD_LIBRARY_PATH="$libdir" "$tmp/cm/consumer"
echo "find_package consumer: ok"
