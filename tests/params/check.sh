#!/bin/sh
# docs/parameters.md is kmm_init("help") as it prints today, and the README names every
# parameter.  Regenerate the doc with: sh tests/params/check.sh <print> --write
#   tests/params/check.sh <print-binary> [--write]
set -eu
src="$(cd "$(dirname "$0")/../.." && pwd)"
doc="$src/docs/parameters.md"
help=$("$1")
if [ "${2:-}" = --write ]; then
	{
		printf '# Boot parameters\n\n'
		printf 'Every parameter libkmm takes on its command line (`kmm_init()` or `KMM_CMDLINE`),\n'
		printf 'as `kmm_init("help")` prints them: declared by the subsystem that owns each one\n'
		printf '(`src/boot/subsys.h`), in boot order.  `tests/params/check.sh` keeps this page\n'
		printf 'and the README in step with the code.\n\n```\n%s\n```\n' "$help"
	} >"$doc"
fi
documented=$(sed -n '/^```$/,/^```$/p' "$doc" | sed '1d;$d')
if [ "$help" != "$documented" ]; then
	echo "docs/parameters.md differs from kmm_init(\"help\"); regenerate it:" >&2
	echo "  sh tests/params/check.sh $1 --write" >&2
	printf '%s\n' "$help" | diff - "$(printf '%s\n' "$documented" >/tmp/kmm-params.$$; echo /tmp/kmm-params.$$)" >&2 || true
	rm -f /tmp/kmm-params.$$
	exit 1
fi
missing=""
for name in $(printf '%s\n' "$help" | sed -n 's/^\([^[:space:]]*\) (.*/\1/p'); do
	grep -q "\`$name=" "$src/README.md" || missing="$missing $name"
done
if [ -n "$missing" ]; then
	echo "README.md does not name:$missing" >&2
	exit 1
fi
echo "parameters: $(printf '%s\n' "$help" | grep -c '^[^[:space:]].* (') documented"
