#!/bin/sh
# formula.sh - CLI tests of `relsim formula`: the docs/CONTRACT.md example (JSON
# and text), --list, the help pages, and bad input (exit 2 with a message on
# stderr that names the offending input).  Uses $RELSIM (set by tests/run.sh).
# Prints one line per check; exits non-zero if any check failed.
set -eu
. "$(dirname "$0")/../lib.sh"

# run ARGS...: runs `relsim formula ARGS`, keeps rc, stdout and stderr.
run() { relsim formula "$@"; }

# expect_usage DESC NEEDLE ARGS...: exit 2, nothing on stdout, stderr names NEEDLE.
expect_usage() {
    desc=$1 needle=$2
    shift 2
    run "$@"
    if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && has "$tmp/err" "$needle"; then
        pass "exit 2, stderr names '$needle': $desc  ($(head -n 1 "$tmp/err"))"
    else
        fail "expected exit 2 and '$needle' on stderr: $desc"
        show
    fi
}

echo "# relsim formula: the docs/CONTRACT.md example"
run t_timeout mu=10 p=0.01 --json
lines=$(wc -l <"$tmp/out")
if [ "$rc" -eq 0 ] && [ "$lines" -eq 1 ] && [ ! -s "$tmp/err" ] &&
    grep -qE '^\{"formula": ?"t_timeout", ?"inputs": ?\{"mu": ?10, ?"p": ?0\.01\}, ?"value": ?0\.46051701859880[0-9]*\}$' "$tmp/out"; then
    pass "t_timeout mu=10 p=0.01 --json -> $(cat "$tmp/out")"
else
    fail "t_timeout mu=10 p=0.01 --json: one JSON line with value 0.4605..."
    show
fi
if command -v python3 >/dev/null 2>&1; then
    if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert abs(d["value"]-0.4605170185988091)<1e-15 and d["inputs"]=={"mu":10,"p":0.01}' "$tmp/out" 2>/dev/null; then
        pass "the JSON parses (python3) and value = ln(100)/10"
    else
        fail "the JSON does not parse or has the wrong value"
    fi
fi

run --json t_timeout p=0.01 mu=10
if [ "$rc" -eq 0 ] && grep -qE '"inputs": ?\{"mu": ?10, ?"p": ?0\.01\}' "$tmp/out"; then
    pass "--json first and inputs in any order give the same JSON (inputs in table order)"
else
    fail "--json first / inputs reordered"
    show
fi

run t_timeout mu=10 p=0.01
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 2 ] && has "$tmp/out" "0.460517018598809 s" &&
    has "$tmp/out" "-ln(p) / mu"; then
    pass "text output: value and a one-line explanation"
else
    fail "text output of t_timeout"
    show
fi

echo "# the design document's spelling and caveats"
for nm in P_retry T_timeout Q_balance; do
    case $nm in
        P_retry) args="lambda=0.5 t=1 t_max=2" ;;
        T_timeout) args="mu=10 p=0.01" ;;
        *) args="n=8 rho=75 k=100" ;;
    esac
    # shellcheck disable=SC2086
    run $nm $args
    check "$nm (the design document's spelling) is accepted" eval 'rc_is 0 && [ -s "$tmp/out" ]'
done
run q_balance n=8 rho=120 k=100
check "q_balance with rho above k: the value and a warning on stderr (unstable pool)" \
    eval 'rc_is 0 && has "$tmp/out" "= 9.6" && has "$tmp/err" "warning: rho >= k" && has "$tmp/err" "unstable"'
run q_balance n=8 rho=120 k=100 --json
check "q_balance rho above k --json: a \"warning\" field" has "$tmp/out" '"warning":'
run q_balance n=8 rho=75 k=100
check "q_balance with rho below k: no warning" eval 'rc_is 0 && [ ! -s "$tmp/err" ]'

echo "# --list and help"
run --list
list_rc=$rc
cp "$tmp/out" "$tmp/list"
for f in p_retry t_timeout q_balance availability availability_t availability_interval \
    k_of_n machine_repair retry_success expected_attempts mm1_response erlang_c mmc_response \
    mmck_blocking mm1d_shed mmcd_shed throttle_errors; do
    if [ "$list_rc" -eq 0 ] && grep -qE "^  $f\(" "$tmp/list"; then
        pass "--list lists $f"
    else
        fail "--list does not list $f"
    fi
done
names=$(sed -n 's/^  \([a-z_0-9]*\)(.*/\1/p' "$tmp/list")
n=0
for f in $names; do
    n=$((n + 1))
    run "$f" --help
    if [ "$rc" -eq 0 ] && has "$tmp/out" "relsim formula $f" && has "$tmp/out" "inputs:" &&
        grep -qE "^  $f\(.*\) = [0-9]" "$tmp/out" && no_nan "$tmp/out"; then
        :
    else
        fail "$f --help (exit 0, inputs, a worked example)"
        show
    fi
done
pass "every one of the $n listed formulas has a --help page with a worked example"

run --help
if [ "$rc" -eq 0 ] && has "$tmp/out" "-ln(p) / mu" && has "$tmp/out" "mu_eff" &&
    has "$tmp/out" "negative"; then
    pass "--help explains the T_timeout reading and mu_eff"
else
    fail "--help must explain T_timeout (-ln(p)/mu, negative as printed, mu_eff)"
fi

run t_timeout --help
if [ "$rc" -eq 0 ] && has "$tmp/out" "(1-p)-quantile" && has "$tmp/out" "K - r"; then
    pass "t_timeout --help gives the reading"
else
    fail "t_timeout --help"
fi

echo "# values at awkward points (independent: python fractions / hand algebra)"
check_value() {
    desc=$1 want=$2
    shift 2
    run "$@" --json
    if [ "$rc" -eq 0 ] && grep -qE "\"value\": ?$want" "$tmp/out"; then
        pass "$desc = $want..."
    else
        fail "$desc: expected value $want..."
        show
    fi
}
check_value "machine_repair n=3 c=1 k=2 lambda=0.37 mu=2.385" 0.89780400143 \
    machine_repair n=3 c=1 k=2 lambda=0.37 mu=2.385
check_value "erlang_c c=2 a=1" 0.33333333333 erlang_c c=2 lambda=2.385 mu=2.385
check_value "k_of_n n=5 k=3 lambda=0.37 mu=1.9" 0.96659328458 k_of_n n=5 k=3 lambda=0.37 mu=1.9
check_value "mm1d_shed lambda=1.7 mu=2.385 d=0.6 (mpmath)" 0.20466830021 mm1d_shed lambda=1.7 mu=2.385 d=0.6
check_value "mmck_blocking c=k=3 a=3.154 (Erlang B)" 0.36422427267 mmck_blocking c=3 k=3 lambda=3.154 mu=1
check_value "mmcd_shed c=3 lambda=4.1 mu=1.3 d=0.6 (mpmath)" 0.21037823274 mmcd_shed c=3 lambda=4.1 mu=1.3 d=0.6
check_value "throttle_errors lambda=200 window=5 k=1.5 q=0.5 (1 - 40 ln(40/39)/250)" 0.99594915072 throttle_errors lambda=200 window=5 k=1.5 q=0.5
check_value "expected_attempts p=0 n=4 (every attempt fails)" 4 expected_attempts p=0 n=4

echo "# bad input: exit 2 and stderr names the input"
expect_usage "missing p" "missing input p" t_timeout mu=10
expect_usage "missing mu (machine_repair)" "missing input mu" machine_repair n=3 c=1 k=2 lambda=0.05
expect_usage "unknown input" "lamda" t_timeout mu=10 p=0.01 lamda=3
expect_usage "unknown input, did you mean" "did you mean 'lambda'" mm1_response lamdba=3 mu=4
expect_usage "duplicated input" "mu given twice" t_timeout mu=10 p=0.01 mu=11
expect_usage "non-numeric" "mu='ten'" t_timeout mu=ten p=0.01
expect_usage "empty value" "p=''" t_timeout mu=10 p=
expect_usage "trailing junk" "p='0.01s'" t_timeout mu=10 p=0.01s
expect_usage "nan is not a number" "mu='nan'" t_timeout mu=nan p=0.01
expect_usage "inf is not a number" "p='inf'" t_timeout mu=10 p=inf
expect_usage "p = 0 has no finite timeout" "p=0 " t_timeout mu=10 p=0
expect_usage "p = 1" "p=1 " t_timeout mu=10 p=1
expect_usage "p above 1" "p=1.5" t_timeout mu=10 p=1.5
expect_usage "negative rate" "mu=-1" t_timeout mu=-1 p=0.01
expect_usage "negative failure rate" "lambda=-0.1" availability lambda=-0.1 mu=1
expect_usage "retry p above 1" "p=1.2" retry_success p=1.2 n=3
expect_usage "zero attempts" "n=0" retry_success p=0.5 n=0
expect_usage "k > n" "k=4" k_of_n n=3 k=4 lambda=0.1 mu=1
expect_usage "non-integer n" "n=3.5" k_of_n n=3.5 k=2 lambda=0.1 mu=1
expect_usage "negative crews" "c=-1" machine_repair n=3 c=-1 k=2 lambda=0.1 mu=1
expect_usage "unstable M/M/1" "lambda=3" mm1_response lambda=3 mu=3
expect_usage "unstable M/M/c" "lambda=5" erlang_c c=2 lambda=5 mu=2
expect_usage "M/M/c/K with k < c" "k=2" mmck_blocking c=3 k=2 lambda=1 mu=1
expect_usage "negative queue timeout" "d=-1" mm1d_shed lambda=1 mu=2 d=-1
expect_usage "M/M/c+D with no worker" "c=0" mmcd_shed c=0 lambda=1 mu=2 d=1
expect_usage "throttle sending too much of its traffic" "lambda=2" throttle_errors lambda=2 window=5 k=1.5 q=0.5
expect_usage "unstable M/M/c response" "lambda=250" mmc_response c=2 lambda=250 mu=100
expect_usage "overflow has no finite value" "mu=1e-320" t_timeout mu=1e-320 p=0.5
expect_usage "unknown formula, did you mean" "did you mean 't_timeout'" t_timout mu=10 p=0.01
expect_usage "unknown formula" "unknown formula 'nosuch'" nosuch x=1
expect_usage "not key=value" "extra" t_timeout mu=10 p=0.01 extra
expect_usage "unknown option" "--bogus" t_timeout mu=10 p=0.01 --bogus
expect_usage "no formula" "which formula" --json

echo "# no NaN or inf anywhere"
run mm1_response lambda=99.9999999 mu=100
if [ "$rc" -eq 0 ] && no_nan "$tmp/out"; then
    pass "near-unstable M/M/1 gives a finite value ($(head -n 1 "$tmp/out"))"
else
    fail "near-unstable M/M/1"
    show
fi
run availability lambda=1e300 mu=1e-300 --json
if [ "$rc" -eq 0 ] && no_nan "$tmp/out"; then
    pass "extreme availability stays finite ($(cat "$tmp/out"))"
else
    fail "extreme availability"
    show
fi

finish
