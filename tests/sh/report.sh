#!/bin/sh
# report.sh - CLI tests of `relsim report OUTDIR`: on copies of
# tests/fixtures/run1 and sweep1 (never written in place) every figure renders
# to a real SVG, report.html holds every section and refers to nothing outside
# itself, hostile scenario text runs nothing and is escaped, the no-gnuplot
# path writes scripts + one how-to line (exit 0; --require-plots exit 2), and
# bad command lines / folders exit 2.  Uses $RELSIM and $TESTS_DIR (set by
# tests/run.sh).  One line per check; exits non-zero if any check failed.
set -eu
: "${TESTS_DIR:=$(cd "$(dirname "$0")/.." && pwd)}"
FIX="$TESTS_DIR/fixtures"
. "$TESTS_DIR/lib.sh"

# run ARGS...: runs `relsim report ARGS`, keeps rc, stdout and stderr.
run() { relsim report "$@"; }
copy() { rm -rf "$tmp/$2"; cp -r "$FIX/$1" "$tmp/$2"; }
have_gnuplot() { command -v gnuplot >/dev/null 2>&1; }

# figures_ok DIR: every DIR/plots/NAME.gp has NAME.svg > 2 KB with <svg and <path.
figures_ok() {
    n=0
    for gp in "$1"/plots/*.gp; do
        svg=${gp%.gp}.svg
        [ -f "$svg" ] || { echo "      no $svg"; return 1; }
        size=$(wc -c <"$svg")
        [ "$size" -gt 2048 ] || { echo "      $svg is only $size bytes"; return 1; }
        grep -q '<svg' "$svg" && grep -q '<path' "$svg" || { echo "      $svg: no <svg/<path"; return 1; }
        n=$((n + 1))
    done
    [ "$n" -ge "$2" ] || { echo "      only $n figures"; return 1; }
}

# self_contained FILE: every http:// or https:// is an SVG xmlns value, and no
# src attribute, <link, <script, @import.
self_contained() {
    all=$(grep -o 'https\?://' "$1" | wc -l)
    ns=$(grep -o 'xmlns="http://www.w3.org/2000/svg"\|xmlns:xlink="http://www.w3.org/1999/xlink"' "$1" | wc -l)
    [ "$all" -eq "$ns" ] || { echo "      $all URLs, only $ns are SVG xmlns"; return 1; }
    ! grep -qi 'src="//\|src="\|src='"'"'\|<link\|<script\|@import' "$1"
}

# --- command line ----------------------------------------------------------
run --help
check "--help exits 0 with usage" eval 'rc_is 0 && has "$tmp/out" "relsim report OUTDIR"'
run
check "no OUTDIR: exit 2" eval 'rc_is 2 && has "$tmp/err" "missing OUTDIR"'
run "$tmp/nowhere"
check "missing folder: exit 2 with a clear message" eval 'rc_is 2 && has "$tmp/err" "not a relsim output folder"'
mkdir -p "$tmp/empty"
run "$tmp/empty"
check "folder without results.json/sweep.json: exit 2" eval 'rc_is 2 && has "$tmp/err" "results.json or sweep.json"'
copy run1 r0
run "$tmp/r0" --frobnicate
check "unknown option: exit 2" eval 'rc_is 2 && has "$tmp/err" "--frobnicate"'
run "$tmp/r0" -o
check "-o without a file: exit 2" rc_is 2

# --- a run folder --------------------------------------------------------------
copy run1 r1
run "$tmp/r1"
check "report of a run: exit 0, says where" eval 'rc_is 0 && has "$tmp/out" "$tmp/r1/report.html"'
check "report.html and report.md written" eval '[ -s "$tmp/r1/report.html" ] && [ -s "$tmp/r1/report.md" ]'
if have_gnuplot; then
    check "every run figure renders (> 2 KB, <svg, <path)" figures_ok "$tmp/r1" 13
else
    skip_check "gnuplot not installed: figure rendering not checked"
fi
for s in 'id="scenario"' 'id="results"' 'id="model-check"' 'id="figures"' 'id="metadata"' \
         '@media print' '<figure id="fig-traffic_web"' 'events per second'; do
    check "report.html has $s" has "$tmp/r1/report.html" "$s"
done
check "report.html refers to nothing outside itself" self_contained "$tmp/r1/report.html"
check "report.md links plots/NAME.svg" has "$tmp/r1/report.md" "](plots/latency.svg)"
check "fixtures untouched" eval '[ ! -e "$FIX/run1/plots" ] && [ ! -e "$FIX/run1/report.html" ]'
run "$tmp/r1" -o "$tmp/elsewhere.html" --no-plots
check "-o FILE --no-plots: exit 0, HTML there" eval 'rc_is 0 && [ -s "$tmp/elsewhere.html" ]'

# --- a sweep folder --------------------------------------------------------------
copy sweep1 s1
run "$tmp/s1"
check "report of a sweep: exit 0" rc_is 0
check "sweep grid table with paired differences" eval 'has "$tmp/s1/report.html" "id=\"grid\"" && has "$tmp/s1/report.html" "difference vs baseline"'
have_gnuplot && check "every sweep figure renders" figures_ok "$tmp/s1" 10
check "sweep report.html refers to nothing outside itself" self_contained "$tmp/s1/report.html"

# --- hostile scenario text ----------------------------------------------------------
copy run1 h1
# JSON escapes keep the shell out of it: \u0027 is ', \" is ".
hn="<script>alert(1)</script> \\u0027 \`touch $tmp/pwned_bq\` \\\"\$(touch $tmp/pwned_dollar)\\\" \\u0027.system(\\u0027touch $tmp/pwned_sys\\u0027).\\u0027 .."
hd="<img src=x onerror=alert(1)> [x](https://evil.example) | \`rm -rf x\` \$(touch $tmp/pwned_desc)"
{ printf '{\n  "name": "%s",\n  "description": "%s",\n' "$hn" "$hd"; tail -n +4 "$FIX/run1/scenario.json"; } >"$tmp/h1/scenario.json"
sed 's/"name": "web-api-storm"/"renamed": "x"/' "$FIX/run1/results.json" >"$tmp/h1/results.json"
run "$tmp/h1"
check "hostile names: exit 0" rc_is 0
check "hostile names: nothing was executed" eval '[ -z "$(find "$tmp" -name "pwned*")" ] && [ ! -e /tmp/pwned ]'
check "hostile names: no <script or <img in report.html" eval '! grep -qi "<script\|<img" "$tmp/h1/report.html"'
check "hostile names: shown escaped" has "$tmp/h1/report.html" '&lt;script&gt;alert(1)&lt;/script&gt;'
check "hostile names: report.html still self-contained" self_contained "$tmp/h1/report.html"
check "hostile names: no raw HTML in report.md" eval '! grep -qi "<script\|<img" "$tmp/h1/report.md"'
have_gnuplot && check "hostile names: gnuplot title is a single-quoted string" \
    has "$tmp/h1/plots/up_api.gp" "'<script>alert(1)</script> '' \`touch"

# --- without gnuplot ---------------------------------------------------------------
copy run1 n1
mkdir -p "$tmp/bin"
set +e
PATH="$tmp/bin" "$RELSIM" report "$tmp/n1" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
check "no gnuplot: exit 0" rc_is 0
check "no gnuplot: scripts and data written, no SVG" eval '[ -f "$tmp/n1/plots/up_api.gp" ] && [ -f "$tmp/n1/plots/up_api.dat" ] && [ ! -e "$tmp/n1/plots/up_api.svg" ]'
check "no gnuplot: one line says how to render" eval '[ "$(grep -c "cd .*/plots && gnuplot NAME.gp" "$tmp/err")" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]'
check "no gnuplot: report still written" eval '[ -s "$tmp/n1/report.html" ] && has "$tmp/n1/report.html" "Not rendered"'
set +e
PATH="$tmp/bin" "$RELSIM" report "$tmp/n1" --require-plots >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
check "no gnuplot + --require-plots: exit 2" eval 'rc_is 2 && has "$tmp/err" "require-plots"'

finish
