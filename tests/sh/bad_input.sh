#!/bin/sh
# bad_input.sh - data-driven tests of `relsim check` (jq style): each line of
# tests/bad/expected.txt names a scenario file (plus arguments) and a text its
# error message must contain; the command must exit 2, print nothing on
# stdout, and never crash.  "<ok>" lines must exit 0 and print one line (the
# work estimate) on stdout, nothing on stderr.
# Prints one line per case; exits 1 if any case fails.
# Needs $RELSIM (set by tests/run.sh), else uses build/relsim.
set -f
here=$(cd "$(dirname "$0")/.." && pwd)
bad="$here/bad"
: "${RELSIM:=build/relsim}"
if [ ! -x "$RELSIM" ]; then
    echo "bad_input.sh: no relsim binary at '$RELSIM'"
    exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/relsim-bad.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# The generated cases: large or binary files are not kept in the repository.
make_case() {
    case "$1" in
    @dir) mkdir -p "$tmp/a-directory.json" && echo "$tmp/a-directory.json" ;;
    @missing) echo "$tmp/no-such-file.json" ;;
    @huge)
        # 65 MiB (sparse): refused for its size before anything is parsed.
        [ -e "$tmp/huge.json" ] ||
            dd if=/dev/zero of="$tmp/huge.json" bs=1048576 count=0 seek=65 2>/dev/null
        echo "$tmp/huge.json" ;;
    @garbage)
        printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\001\000' >"$tmp/garbage.json"
        echo "$tmp/garbage.json" ;;
    @nul)
        printf '{"name": "x"}\000{"more": 1}\n' >"$tmp/nul.json"
        echo "$tmp/nul.json" ;;
    *) echo "$bad/$1" ;;
    esac
}

pass=0
fail=0
run_case() { # $1 = expected text, $2 = file, rest = arguments
    want=$1
    file=$(make_case "$2")
    label="$2"
    shift 2
    [ $# -gt 0 ] && label="$label $*"
    "$RELSIM" check "$file" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$want" = "<ok>" ]; then
        # a valid scenario: exit 0, one line (the work estimate), nothing on stderr
        if [ $rc -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -q "events per replication" "$tmp/out" &&
            [ ! -s "$tmp/err" ]; then
            pass=$((pass + 1))
            echo "ok    $label (valid)"
            return
        fi
        why="expected exit 0, one line (the work estimate) and nothing on stderr"
    elif [ $rc -ne 2 ]; then
        why="expected exit 2"
    elif [ -s "$tmp/out" ]; then
        why="expected nothing on stdout"
    elif ! grep -qF -- "$want" "$tmp/err"; then
        why="stderr lacks: $want"
    else
        pass=$((pass + 1))
        echo "ok    $label"
        return
    fi
    fail=$((fail + 1))
    echo "FAIL  $label: exit $rc, $why"
    sed 's/^/        | /' "$tmp/err" "$tmp/out" | head -n 12
}

listed=" "
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | '#'*) continue ;; esac
    left=${line%% => *}
    want=${line#* => }
    if [ "$left" = "$line" ]; then
        fail=$((fail + 1))
        echo "FAIL  expected.txt: no ' => ' in: $line"
        continue
    fi
    # shellcheck disable=SC2086 # word splitting of the arguments is intended
    set -- $left
    listed="$listed$1 "
    run_case "$want" "$@"
done <"$bad/expected.txt"

# Every data file must have an expectation.
set +f
for f in "$bad"/*.json; do
    name=$(basename "$f")
    case "$listed" in
    *" $name "*) ;;
    *) fail=$((fail + 1)); echo "FAIL  $name is not listed in expected.txt" ;;
    esac
done

# --help is not an error.
if "$RELSIM" check --help >"$tmp/out" 2>"$tmp/err" && grep -q "usage: relsim check" "$tmp/out"; then
    pass=$((pass + 1)); echo "ok    check --help"
else
    fail=$((fail + 1)); echo "FAIL  check --help"
fi
if "$RELSIM" check >"$tmp/out" 2>"$tmp/err"; then
    fail=$((fail + 1)); echo "FAIL  check without a file exits 0"
else
    pass=$((pass + 1)); echo "ok    check without a file"
fi

echo "bad_input: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
