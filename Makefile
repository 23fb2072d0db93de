# relsim - build, test, run, bench.
#   make            build build/relsim
#   make test       build and run every test (unit, validation, CLI)
#   make run        run scenarios/default.json into out/default/
#   make asan       the test suite under AddressSanitizer + UBSan (build/asan/)
#   make bench      release build, benchmarks, build/bench.json
#   make MPI=1      the MPI-enabled binary (needs Open MPI or MPICH)
#   make deps       install the Debian packages (as root) or print the apt-get line
#   V=1             show full commands
# Project flags live in RS_*; the user's CFLAGS/LDFLAGS are added, never replaced.

BUILD   ?= build
CC      ?= cc
PKGS    := gsl libcjson
DEB_PKGS := build-essential pkg-config libgsl-dev libcjson-dev libcmocka-dev gnuplot-nox time
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
OPT     ?= -O2 -g
RS_CFLAGS  := -std=c11 -D_GNU_SOURCE -DHAVE_INLINE $(OPT) $(WARN) -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
RS_LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread
TEST_LDLIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

ifeq ($(SAN),1)
RS_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
RS_LDFLAGS += -fsanitize=address,undefined
endif

ifeq ($(MPI),1)
CC := mpicc
RS_CFLAGS += -DRELSIM_MPI=1
else
MPI_EXCLUDE := app/par_mpi.c
endif

ifneq ($(V),1)
Q := @
E := @echo
else
Q :=
E := @true
endif

LIB_SRCS  := $(filter-out app/main.c $(MPI_EXCLUDE),$(wildcard sim/*.c models/*.c util/*.c loader/*.c plots/*.c app/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ  := $(BUILD)/obj/app/main.o
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
LIB       := $(BUILD)/librelsim.a

all: $(BUILD)/relsim

$(BUILD)/relsim: $(MAIN_OBJ) $(LIB)
	$(E) "  LINK  $@"
	$(Q)$(CC) $(RS_LDFLAGS) $(LDFLAGS) -o $@ $^ $(RS_LDLIBS) $(LDLIBS)

$(LIB): $(LIB_OBJS)
	$(E) "  AR    $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(E) "  CC    $<"
	$(Q)$(CC) $(RS_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(E) "  LINK  $@"
	$(Q)$(CC) $(RS_LDFLAGS) $(LDFLAGS) -o $@ $^ $(TEST_LDLIBS) $(RS_LDLIBS) $(LDLIBS)

# test_balancer a second time with BMI2 (test_balancer_bmi2): srvset.c's
# _pdep_u32 path is compiled only under __BMI2__, which the release build
# (-march=native) has and the test builds do not.  Only srvset.c and the test
# are compiled again (the linker takes srvset's symbols from this object, not
# from the library's); the binary exits 77 (SKIP) on a CPU without BMI2.  Not
# built where the compiler has no -mbmi2 (not x86).
HAVE_MBMI2 := $(shell $(CC) -mbmi2 -E -x c /dev/null >/dev/null 2>&1 && echo 1)
ifeq ($(HAVE_MBMI2),1)
BMI2_TEST := $(BUILD)/tests/test_balancer_bmi2
$(BUILD)/obj/bmi2/%.o: %.c
	@mkdir -p $(dir $@)
	$(E) "  CC    $< (-mbmi2)"
	$(Q)$(CC) $(RS_CFLAGS) $(CFLAGS) -mbmi2 -DRELSIM_TEST_BMI2 -MMD -MP -c -o $@ $<

$(BMI2_TEST): $(BUILD)/obj/bmi2/tests/test_balancer.o $(BUILD)/obj/bmi2/models/srvset.o $(LIB)
	@mkdir -p $(dir $@)
	$(E) "  LINK  $@"
	$(Q)$(CC) $(RS_LDFLAGS) $(LDFLAGS) -o $@ $^ $(TEST_LDLIBS) $(RS_LDLIBS) $(LDLIBS)
-include $(BUILD)/obj/bmi2/tests/test_balancer.d $(BUILD)/obj/bmi2/models/srvset.d
endif

# the test objects are named here so make rebuilds them when missing
tests: $(BUILD)/relsim $(TEST_BINS) $(BMI2_TEST) $(TEST_SRCS:%.c=$(BUILD)/obj/%.o)

# The MPI binary tests/sh/mpi.sh compares is brought up to date first (when
# mpicc is there), so it never tests stale code.
test: tests
	$(Q)if command -v mpicc >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory MPI=1 BUILD=build/mpi build/mpi/relsim; fi
	$(Q)RELSIM=$(abspath $(BUILD)/relsim) BUILD=$(abspath $(BUILD)) sh tests/run.sh

asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan SAN=1 OPT="-O1 -g" test

run: $(BUILD)/relsim
	$(Q)$(BUILD)/relsim run scenarios/default.json -o out/default

# Benchmarks: a release build in build/release, then tests/bench/run.sh
# (reference workload, hold model, M/M/1, -j scaling, memory vs horizon)
# writes build/bench.json.  The benchmark programs tests/bench/*.c link only
# sim/ and models/ (no cJSON, no app/).
BENCH_BUILD := build/release
BENCH_OPT   := -O3 -march=native -DNDEBUG
BENCH_NAMES := $(basename $(notdir $(wildcard tests/bench/*.c)))
ENGINE_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard sim/*.c models/*.c))

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(ENGINE_OBJS)
	@mkdir -p $(dir $@)
	$(E) "  LINK  $@"
	$(Q)$(CC) $(RS_LDFLAGS) $(LDFLAGS) -o $@ $^ $(RS_LDLIBS) $(LDLIBS)

# bench-build alone is what CI runs: -O3 sees warnings -O2 does not.
bench-build:
	$(Q)$(MAKE) --no-print-directory BUILD=$(BENCH_BUILD) OPT="$(BENCH_OPT)" \
		$(BENCH_BUILD)/relsim $(BENCH_NAMES:%=$(BENCH_BUILD)/bench/%)

bench: bench-build
	$(Q)BENCH_DIR=$(BENCH_BUILD)/bench sh tests/bench/run.sh $(BENCH_BUILD)/relsim build/bench.json

-include $(BENCH_NAMES:%=$(BUILD)/obj/tests/bench/%.d)

# Fuzzing: libFuzzer harnesses tests/fuzz/fuzz_*.c, built with clang and
# ASan + UBSan in build/fuzz (the library too, with coverage), then each run
# for FUZZ_SECONDS by tests/fuzz/run.sh (seeds: scenarios/, tests/bad/,
# tests/fuzz/seeds/; the growing corpus stays in build/fuzz/corpus/).
#   make fuzz FUZZ_SECONDS=60
FUZZ_BUILD   := build/fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_NAMES   := $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))

$(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(E) "  LINK  $@"
	$(Q)$(CC) -fsanitize=fuzzer $(RS_LDFLAGS) $(LDFLAGS) -o $@ $^ $(RS_LDLIBS) $(LDLIBS)

fuzz:
	$(Q)$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPT="-O1 -g" \
		CFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" LDFLAGS="$(FUZZ_SAN)" \
		$(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz/%)
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh $(FUZZ_BUILD)

-include $(FUZZ_NAMES:%=$(BUILD)/obj/tests/fuzz/%.d)

deps:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(DEB_PKGS); \
	else echo "run as root:  apt-get install -y $(DEB_PKGS)"; fi

clean:
	rm -rf build

.PHONY: all test tests asan run bench bench-build deps clean fuzz
.DELETE_ON_ERROR:

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_SRCS:%.c=$(BUILD)/obj/%.d)
