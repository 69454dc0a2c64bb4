#!/bin/sh
# Installs the Debian packages libkmm needs that are not installed yet.
#   scripts/deps.sh [build|test|bench]   (default: test)
set -eu
want="cmake make gcc pkg-config liburcu-dev"
case "${1:-test}" in
build) ;;
test) want="$want libcmocka-dev g++ libbenchmark-dev valgrind clang libclang-rt-dev python3 sqlite3 linux-source-6.12 linux-config-6.12" ;;
bench) want="$want g++ libbenchmark-dev valgrind libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev gnuplot-nox python3 sqlite3 time" ;;
*) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
