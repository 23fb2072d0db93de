/* cmd.h - the subcommands of the relsim CLI.
 *
 * Each takes the arguments after the program name (argv[0] is the command
 * name itself) and returns the process exit code: 0 success, 1 the simulation
 * or an output failed, 2 bad command line or bad scenario, 130 interrupted.
 */
#ifndef RELSIM_CMD_H
#define RELSIM_CMD_H

#define RELSIM_VERSION "0.1.0"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

int cmd_run(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_formula(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_solve(int argc, char **argv);

#endif
