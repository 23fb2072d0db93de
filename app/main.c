/* main.c - relsim's entry point: dispatch to a subcommand. */
#include "app/cmd.h"
#ifdef RELSIM_MPI
#include "app/par.h" /* MPI back end: init/finalize around the command */
#endif
#include "sim/evq.h"

#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage =
    "relsim " RELSIM_VERSION " - discrete-event reliability simulator for servers, retries,\n"
    "timeouts and circuit breakers.\n"
    "\n"
    "usage:\n"
    "  relsim run SCENARIO.json [options]        simulate; print a table; write OUTDIR/\n"
    "  relsim sweep SCENARIO.json --vary K=V1,V2 [--vary ...] [options]\n"
    "                                            one run per grid point, compared\n"
    "  relsim report OUTDIR [-o FILE.html]       (re)build the HTML + Markdown report\n"
    "  relsim formula NAME key=value ... [--json] evaluate an analytic formula\n"
    "  relsim formula --list                     list the formulas\n"
    "  relsim solve SCENARIO.json [--at T,...]   exact availability, MTTF and queue numbers\n"
    "                                            of the Markovian pools (no simulation)\n"
    "  relsim check SCENARIO.json                validate a scenario file only\n"
    "  relsim COMMAND --help                     options of one command\n"
    "\n"
    "Describe pools of servers (failure, repair, queues, spares, liveness restarts,\n"
    "admission control, processor sharing, fault injection) and the clients that\n"
    "call them (timeouts, retries, budgets, breakers, balancers, health checks,\n"
    "throttling, network links, fan-out, load schedules) in a JSON scenario\n"
    "(docs/SCENARIO.md), with service-level objectives if you like; relsim\n"
    "simulates independent replications and reports availability, success and\n"
    "latency with 95% confidence intervals, SLO verdicts first, next to the exact\n"
    "or closed-form predictions where theory applies.\n"
    "\n"
    "Examples:\n"
    "  relsim run scenarios/default.json         then open out/default/report.html\n"
    "  relsim run scenarios/retry-storm.json --set clients.web.retry.max_attempts=1\n"
    "  relsim sweep scenarios/default.json --vary clients.web.retry.max_attempts=1,2,3,5\n"
    "  relsim formula t_timeout mu=10 p=0.01     the timeout that cuts off 1% of attempts\n"
    "  relsim run scenarios/health-check-tuning.json   how fast a crash is detected\n"
    "  relsim solve scenarios/rare-outage.json   nines that no affordable run can see\n"
    "  relsim check my-scenario.json             errors name file:line:col and the key\n"
    "\n"
    "Units everywhere: seconds, per second, probabilities in [0,1].\n"
    "Exit codes: 0 ok, 1 simulation or output failed, 2 bad input, 130 interrupted.\n";

/* Fault injection for the tests (tests/sh/hardening.sh): RELSIM_FAULT_EVQ_CAP=N
 * makes every future-event list refuse to grow past N entries, as if memory
 * had run out.  Unset in normal use. */
static void fault_hooks(void)
{
    const char *cap = getenv("RELSIM_FAULT_EVQ_CAP");
    if (cap && *cap)
        evq_fault_cap = (size_t)strtoull(cap, NULL, 10);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off(); /* library code checks statuses itself */
    fault_hooks();
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *c = argv[1];
    if (!strcmp(c, "--help") || !strcmp(c, "-h") || !strcmp(c, "help")) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (!strcmp(c, "--version") || !strcmp(c, "-V")) {
        printf("relsim %s\n", RELSIM_VERSION);
        return EXIT_OK;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"run", cmd_run},         {"sweep", cmd_sweep}, {"report", cmd_report},
                {"formula", cmd_formula}, {"check", cmd_check}, {"solve", cmd_solve}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(c, cmds[i].name)) {
#ifdef RELSIM_MPI /* every rank runs the command; only rank 0 prints (par.h):
                   * the others' messages would be copies of rank 0's */
            if (par_init(&argc, &argv) != 0)
                return EXIT_FAIL;
            if (par_rank() != 0 && (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)))
                return EXIT_FAIL;
            int rc = cmds[i].fn(argc - 1, argv + 1);
            par_finalize();
            return rc;
#else
            return cmds[i].fn(argc - 1, argv + 1);
#endif
        }
    fprintf(stderr, "relsim: unknown command '%s' (try: relsim --help)\n", c);
    return EXIT_USAGE;
}
