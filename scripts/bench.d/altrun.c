/* altrun: time whole-process starts of several commands, interleaved run by run.
 *
 *   altrun CYCLES WARMUP CMD1 [ARGS...] :: CMD2 [ARGS...] [:: ...]
 *
 * Each cycle runs every command once; cycle c starts with command c mod N, so no command
 * always runs first or last. Hyperfine runs all of one command's runs before the next
 * command's, and on a shared VM a batch's position alone moved the result by more than
 * the one-execve difference being measured. Prints one line per command with each run's
 * wall time in nanoseconds (spawn/exec/wait as seen from here), after WARMUP unrecorded
 * cycles, then one more line per command with each run's CPU time (user + system, from
 * wait4: what the start itself costs, without the time spent waiting for a CPU on a busy
 * machine). Children get stdin and stdout on /dev/null, stderr inherited; a child that
 * does not exit 0 stops everything with status 1 and its name on stderr.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { MAX_CMDS = 16 };

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One run of argv; returns its wall time in ns (and its CPU time in *cpu), or -1 if it
 * did not exit 0. */
static long long run_once(char **argv, const posix_spawn_file_actions_t *fa, long long *cpu)
{
    pid_t pid;
    int status;
    struct rusage ru;
    long long t0 = now_ns();
    if (posix_spawn(&pid, argv[0], fa, NULL, argv, environ) != 0)
        return -1;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    long long t = now_ns() - t0;
    *cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? t : -1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fputs("usage: altrun CYCLES WARMUP CMD [ARGS...] [:: CMD [ARGS...]]...\n", stderr);
        return 2;
    }
    long cycles = strtol(argv[1], NULL, 10), warmup = strtol(argv[2], NULL, 10);
    char **cmds[MAX_CMDS];
    int ncmds = 0;
    cmds[ncmds++] = &argv[3];
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "::") == 0) {
            argv[i] = NULL; /* ends the previous command's argv in place */
            if (ncmds == MAX_CMDS || i + 1 >= argc) {
                fputs("altrun: too many or empty commands\n", stderr);
                return 2;
            }
            cmds[ncmds++] = &argv[i + 1];
        }
    }
    size_t slots = (size_t)(ncmds * (cycles > 0 ? cycles : 1));
    long long *times = calloc(slots, sizeof *times), *cpus = calloc(slots, sizeof *cpus);
    if (times == NULL || cpus == NULL || cycles <= 0)
        return 2;

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);

    for (long c = -warmup; c < cycles; c++) {
        for (int k = 0; k < ncmds; k++) {
            int i = (int)(((c % ncmds) + ncmds + k) % ncmds);
            long long cpu = 0, t = run_once(cmds[i], &fa, &cpu);
            if (t < 0) {
                fprintf(stderr, "altrun: %s did not exit 0\n", cmds[i][0]);
                return 1;
            }
            if (c >= 0) {
                times[i * cycles + c] = t;
                cpus[i * cycles + c] = cpu;
            }
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        const long long *v = pass ? cpus : times;
        for (int i = 0; i < ncmds; i++) {
            for (long c = 0; c < cycles; c++)
                printf("%s%lld", c ? " " : "", v[i * cycles + c]);
            putchar('\n');
        }
    }
    return 0;
}
