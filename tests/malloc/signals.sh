#!/bin/sh
# SPDX-License-Identifier: MIT
# Programs that sleep on libkmm-malloc.so must sleep as long as they asked, and
# SIGRTMIN+5 stays theirs: libkmm sends no signal to a program's thread (ctest
# entries of tests/malloc/CMakeLists.txt).
#   signals.sh c LIB signals   the C program signals.c: nanosleep, poll, select and
#                              epoll_wait of 3.5 s on threads while the main thread
#                              allocates, frees remotely and forks; its SIGRTMIN+5
#                              handler called only by its own kill()
#   signals.sh tail LIB        timeout 6 tail -f on a file being appended to: alive
#                              after 4.5 s, ended by the timeout (124), no
#                              "Interrupted system call"
#   signals.sh perl LIB        perl's sleep 3 lasts >= 2.9 s (Time::HiRes)
#   signals.sh python LIB      python3 blocks SIGUSR1, sends it to itself and
#                              takes it with sigwait(): no thread of libkmm's
#                              takes it (its default action would end python)
# Each checks that the program really ran on libkmm's memory (the machine's memfd,
# kmm-physmem, in its /proc/PID/maps).  Exit status 0 on success, 77 (skipped) if
# the program is not installed.
set -eu
kind=$1
lib=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
need() {
	command -v "$1" >/dev/null || { echo "signals.sh: $1 missing, skipped"; exit 77; }
}
case $kind in
c)
	env LD_PRELOAD="$lib" "$3"
	;;
tail)
	need tail
	need timeout
	: >"$tmp/log"
	env LD_PRELOAD="$lib" timeout 6 tail -f "$tmp/log" >"$tmp/out" 2>&1 &
	pid=$!
	i=0
	while [ $i -lt 22 ]; do
		echo "line $i" >>"$tmp/log"
		sleep 0.2
		i=$((i + 1))
	done
	# 4.4 s so far; tail (timeout's child) runs on libkmm and is still there
	sleep 0.1
	tailpid=$(cat /proc/$pid/task/$pid/children 2>/dev/null | awk '{print $1}')
	if [ -z "$tailpid" ] || ! kill -0 "$tailpid" 2>/dev/null; then
		echo "signals.sh: tail -f is gone after 4.5 s"
		cat "$tmp/out"
		exit 1
	fi
	grep -q kmm-physmem /proc/"$tailpid"/maps ||
		{ echo "signals.sh: tail -f is not on libkmm"; exit 1; }
	status=0
	wait $pid || status=$?
	if [ $status -ne 124 ]; then
		echo "signals.sh: timeout 6 tail -f exited $status, not by the timeout (124)"
		cat "$tmp/out"
		exit 1
	fi
	if grep -q 'Interrupted system call' "$tmp/out"; then
		echo "signals.sh: tail -f said:"
		cat "$tmp/out"
		exit 1
	fi
	grep -q '^line 21$' "$tmp/out" ||
		{ echo "signals.sh: tail -f did not follow the file"; cat "$tmp/out"; exit 1; }
	echo "signals.sh: tail -f followed $(wc -l <"$tmp/out") lines until the timeout"
	;;
perl)
	need perl
	# perl's sleep() is libc's; the check for libkmm is from perl itself
	# shellcheck disable=SC2016 # perl code, not the shell's
	env LD_PRELOAD="$lib" perl -e '
		use Time::HiRes qw(time);
		open(my $m, "<", "/proc/self/maps") or die;
		grep(/kmm-physmem/, <$m>) or die "not on libkmm\n";
		my @keep = map { "x" x (16 << ($_ % 12)) } 1 .. 2000;
		$t = time; sleep 3; printf "%.2f\n", time - $t' >"$tmp/out"
	slept=$(cat "$tmp/out")
	if ! awk -v s="$slept" 'BEGIN { exit !(s >= 2.9) }'; then
		echo "signals.sh: perl slept $slept s of 3"
		exit 1
	fi
	echo "signals.sh: perl slept $slept s of 3"
	;;
python)
	need python3
	env LD_PRELOAD="$lib" python3 -c '
import os, signal, time
with open("/proc/self/maps") as m:
    assert "kmm-physmem" in m.read(), "not on libkmm"
keep = ["x" * (16 << (i % 12)) for i in range(2000)]
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
os.kill(os.getpid(), signal.SIGUSR1)
time.sleep(0.2)  # time for another thread to take it
print(signal.sigwait({signal.SIGUSR1}) == signal.SIGUSR1)' >"$tmp/out" 2>&1 || {
		echo "signals.sh: python3 did not take its SIGUSR1 with sigwait():"
		cat "$tmp/out"
		exit 1
	}
	echo "signals.sh: python3 took its SIGUSR1 with sigwait(): $(cat "$tmp/out")"
	;;
*)
	echo "usage: $0 c|tail|perl|python LIB [signals]" >&2
	exit 2
	;;
esac
