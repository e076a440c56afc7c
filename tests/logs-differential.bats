#!/usr/bin/env bats
# Differential harness of the log pipeline (issue 10, "Prove it"): each corpus program in
# tests/fixtures/differential runs with no preload and with LD_PRELOAD=liblwrap.so and
# LWRAP_LOGS=off|text|json, its output going to a pipe read at once (fast), a pipe read
# 0.5 s late (slow), regular files, one pipe for both streams (merged, 2>&1), a telemetry
# fd (tele: _LAMBDA_TELEMETRY_LOG_FD, frames decoded), `| head -1` or /dev/full, as the
# program's entry in harness.py's CORPUS says. After removing the decoration it compares
# the bytes per stream, the order within each thread, the files written, the exit status
# and the signal; with `off` everything must be byte-identical to the run without the
# preload. Each failure names the destination and the exact difference.
# One test per program and mode; the run without the preload is made once per program.
load test_helper

@test "differential: bash: command and process substitution capture data (bash-subst), LWRAP_LOGS=off" {
    diff_check bash-subst off
}

@test "differential: bash: command and process substitution capture data (bash-subst), LWRAP_LOGS=text" {
    diff_check bash-subst text
}

@test "differential: bash: command and process substitution capture data (bash-subst), LWRAP_LOGS=json" {
    diff_check bash-subst json
}

@test "differential: bash: redirections to files, to stderr, to fd 3 (bash-redirect), LWRAP_LOGS=off" {
    diff_check bash-redirect off
}

@test "differential: bash: redirections to files, to stderr, to fd 3 (bash-redirect), LWRAP_LOGS=text" {
    diff_check bash-redirect text
}

@test "differential: bash: redirections to files, to stderr, to fd 3 (bash-redirect), LWRAP_LOGS=json" {
    diff_check bash-redirect json
}

@test "differential: bash: subshells and pipelines (bash-pipeline), LWRAP_LOGS=off" {
    diff_check bash-pipeline off
}

@test "differential: bash: subshells and pipelines (bash-pipeline), LWRAP_LOGS=text" {
    diff_check bash-pipeline text
}

@test "differential: bash: subshells and pipelines (bash-pipeline), LWRAP_LOGS=json" {
    diff_check bash-pipeline json
}

@test "differential: bash: exec to a file for stdout, then for stderr (bash-exec-file), LWRAP_LOGS=off" {
    diff_check bash-exec-file off
}

@test "differential: bash: exec to a file for stdout, then for stderr (bash-exec-file), LWRAP_LOGS=text" {
    diff_check bash-exec-file text
}

@test "differential: bash: exec to a file for stdout, then for stderr (bash-exec-file), LWRAP_LOGS=json" {
    diff_check bash-exec-file json
}

@test "differential: bash: stdout, stderr and children's lines in order (bash-order), LWRAP_LOGS=off" {
    diff_check bash-order off
}

@test "differential: bash: stdout, stderr and children's lines in order (bash-order), LWRAP_LOGS=text" {
    diff_check bash-order text
}

@test "differential: bash: stdout, stderr and children's lines in order (bash-order), LWRAP_LOGS=json" {
    diff_check bash-order json
}

@test "differential: bash: a reader that goes away (head -1) ends it with SIGPIPE (bash-head), LWRAP_LOGS=off" {
    diff_check bash-head off
}

@test "differential: bash: a reader that goes away (head -1) ends it with SIGPIPE (bash-head), LWRAP_LOGS=text" {
    diff_check bash-head text
}

@test "differential: bash: a reader that goes away (head -1) ends it with SIGPIPE (bash-head), LWRAP_LOGS=json" {
    diff_check bash-head json
}

@test "differential: python: 8 threads writing stdout and stderr (py-threads), LWRAP_LOGS=off" {
    diff_check py-threads off
}

@test "differential: python: 8 threads writing stdout and stderr (py-threads), LWRAP_LOGS=text" {
    diff_check py-threads text
}

@test "differential: python: 8 threads writing stdout and stderr (py-threads), LWRAP_LOGS=json" {
    diff_check py-threads json
}

@test "differential: python: a joined thread's lines come before main's next ones (py-thread-join), LWRAP_LOGS=off" {
    diff_check py-thread-join off
}

@test "differential: python: a joined thread's lines come before main's next ones (py-thread-join), LWRAP_LOGS=text" {
    diff_check py-thread-join text
}

@test "differential: python: a joined thread's lines come before main's next ones (py-thread-join), LWRAP_LOGS=json" {
    diff_check py-thread-join json
}

@test "differential: python: 200 thread start/join cycles keep causal order (py-thread-join-many), LWRAP_LOGS=off" {
    diff_check py-thread-join-many off
}

@test "differential: python: 200 thread start/join cycles keep causal order (py-thread-join-many), LWRAP_LOGS=text" {
    diff_check py-thread-join-many text
}

@test "differential: python: 200 thread start/join cycles keep causal order (py-thread-join-many), LWRAP_LOGS=json" {
    diff_check py-thread-join-many json
}

@test "differential: python: os.fork while a thread writes (py-fork), LWRAP_LOGS=off" {
    diff_check py-fork off
}

@test "differential: python: os.fork while a thread writes (py-fork), LWRAP_LOGS=text" {
    diff_check py-fork text
}

@test "differential: python: os.fork while a thread writes (py-fork), LWRAP_LOGS=json" {
    diff_check py-fork json
}

@test "differential: python: multiprocessing Pool (fork) (py-mp-pool), LWRAP_LOGS=off" {
    diff_check py-mp-pool off
}

@test "differential: python: multiprocessing Pool (fork) (py-mp-pool), LWRAP_LOGS=text" {
    diff_check py-mp-pool text
}

@test "differential: python: multiprocessing Pool (fork) (py-mp-pool), LWRAP_LOGS=json" {
    diff_check py-mp-pool json
}

@test "differential: python: multiprocessing Pool (spawn) (py-mp-spawn), LWRAP_LOGS=off" {
    diff_check py-mp-spawn off
}

@test "differential: python: multiprocessing Pool (spawn) (py-mp-spawn), LWRAP_LOGS=text" {
    diff_check py-mp-spawn text
}

@test "differential: python: multiprocessing Pool (spawn) (py-mp-spawn), LWRAP_LOGS=json" {
    diff_check py-mp-spawn json
}

@test "differential: python: pool workers terminated after flushed prints (py-mp-terminate), LWRAP_LOGS=off" {
    diff_check py-mp-terminate off
}

@test "differential: python: pool workers terminated after flushed prints (py-mp-terminate), LWRAP_LOGS=text" {
    diff_check py-mp-terminate text
}

@test "differential: python: pool workers terminated after flushed prints (py-mp-terminate), LWRAP_LOGS=json" {
    diff_check py-mp-terminate json
}

@test "differential: python: subprocess.run, check_output, capture_output (py-subprocess), LWRAP_LOGS=off" {
    diff_check py-subprocess off
}

@test "differential: python: subprocess.run, check_output, capture_output (py-subprocess), LWRAP_LOGS=text" {
    diff_check py-subprocess text
}

@test "differential: python: subprocess.run, check_output, capture_output (py-subprocess), LWRAP_LOGS=json" {
    diff_check py-subprocess json
}

@test "differential: python: stdout and stderr alternating (py-order), LWRAP_LOGS=off" {
    diff_check py-order off
}

@test "differential: python: stdout and stderr alternating (py-order), LWRAP_LOGS=text" {
    diff_check py-order text
}

@test "differential: python: stdout and stderr alternating (py-order), LWRAP_LOGS=json" {
    diff_check py-order json
}

@test "differential: python: last words before SIGTERM to self (py-sigterm), LWRAP_LOGS=off" {
    diff_check py-sigterm off
}

@test "differential: python: last words before SIGTERM to self (py-sigterm), LWRAP_LOGS=text" {
    diff_check py-sigterm text
}

@test "differential: python: last words before SIGTERM to self (py-sigterm), LWRAP_LOGS=json" {
    diff_check py-sigterm json
}

@test "differential: python: lines flushed 0.3 s before SIGKILL (py-sigkill), LWRAP_LOGS=off" {
    diff_check py-sigkill off
}

@test "differential: python: lines flushed 0.3 s before SIGKILL (py-sigkill), LWRAP_LOGS=text" {
    diff_check py-sigkill text
}

@test "differential: python: lines flushed 0.3 s before SIGKILL (py-sigkill), LWRAP_LOGS=json" {
    diff_check py-sigkill json
}

@test "differential: python: os._exit after an unfinished line (py-os-exit), LWRAP_LOGS=off" {
    diff_check py-os-exit off
}

@test "differential: python: os._exit after an unfinished line (py-os-exit), LWRAP_LOGS=text" {
    diff_check py-os-exit text
}

@test "differential: python: os._exit after an unfinished line (py-os-exit), LWRAP_LOGS=json" {
    diff_check py-os-exit json
}

@test "differential: python: os.abort (py-abort), LWRAP_LOGS=off" {
    diff_check py-abort off
}

@test "differential: python: os.abort (py-abort), LWRAP_LOGS=text" {
    diff_check py-abort text
}

@test "differential: python: os.abort (py-abort), LWRAP_LOGS=json" {
    diff_check py-abort json
}

@test "differential: python: SIGSEGV through ctypes (py-segv), LWRAP_LOGS=off" {
    diff_check py-segv off
}

@test "differential: python: SIGSEGV through ctypes (py-segv), LWRAP_LOGS=text" {
    diff_check py-segv text
}

@test "differential: python: SIGSEGV through ctypes (py-segv), LWRAP_LOGS=json" {
    diff_check py-segv json
}

@test "differential: python -X faulthandler: SIGSEGV report (py-segv-faulthandler), LWRAP_LOGS=off" {
    diff_check py-segv-faulthandler off
}

@test "differential: python -X faulthandler: SIGSEGV report (py-segv-faulthandler), LWRAP_LOGS=text" {
    diff_check py-segv-faulthandler text
}

@test "differential: python -X faulthandler: SIGSEGV report (py-segv-faulthandler), LWRAP_LOGS=json" {
    diff_check py-segv-faulthandler json
}

@test "differential: python: print to /dev/full sees ENOSPC (py-devfull), LWRAP_LOGS=off" {
    diff_check py-devfull off
}

@test "differential: python: print to /dev/full sees ENOSPC (py-devfull), LWRAP_LOGS=text" {
    diff_check py-devfull text
}

@test "differential: python: print to /dev/full sees ENOSPC (py-devfull), LWRAP_LOGS=json" {
    diff_check py-devfull json
}

@test "differential: python: a reader that goes away (head -1) gives BrokenPipeError (py-head), LWRAP_LOGS=off" {
    diff_check py-head off
}

@test "differential: python: a reader that goes away (head -1) gives BrokenPipeError (py-head), LWRAP_LOGS=text" {
    diff_check py-head text
}

@test "differential: python: a reader that goes away (head -1) gives BrokenPipeError (py-head), LWRAP_LOGS=json" {
    diff_check py-head json
}

@test "differential: python: 1 MiB lines, multibyte UTF-8, no final newline (py-huge), LWRAP_LOGS=off" {
    diff_check py-huge off
}

@test "differential: python: 1 MiB lines, multibyte UTF-8, no final newline (py-huge), LWRAP_LOGS=text" {
    diff_check py-huge text
}

@test "differential: python: 1 MiB lines, multibyte UTF-8, no final newline (py-huge), LWRAP_LOGS=json" {
    diff_check py-huge json
}

@test "differential: python: invalid UTF-8, NUL, partial lines (py-binary), LWRAP_LOGS=off" {
    diff_check py-binary off
}

@test "differential: python: invalid UTF-8, NUL, partial lines (py-binary), LWRAP_LOGS=text" {
    diff_check py-binary text
}

@test "differential: python: invalid UTF-8, NUL, partial lines (py-binary), LWRAP_LOGS=json" {
    diff_check py-binary json
}

@test "differential: python: one line written in two parts 0.4 s apart (py-partial-pause), LWRAP_LOGS=off" {
    diff_check py-partial-pause off
}

@test "differential: python: one line written in two parts 0.4 s apart (py-partial-pause), LWRAP_LOGS=text" {
    diff_check py-partial-pause text
}

@test "differential: python: one line written in two parts 0.4 s apart (py-partial-pause), LWRAP_LOGS=json" {
    diff_check py-partial-pause json
}

@test "differential: python: tracebacks printed, logged, chained, uncaught (py-traceback), LWRAP_LOGS=off" {
    diff_check py-traceback off
}

@test "differential: python: tracebacks printed, logged, chained, uncaught (py-traceback), LWRAP_LOGS=text" {
    diff_check py-traceback text
}

@test "differential: python: tracebacks printed, logged, chained, uncaught (py-traceback), LWRAP_LOGS=json" {
    diff_check py-traceback json
}

@test "differential: python -u: tracebacks written line by line (py-traceback-u), LWRAP_LOGS=off" {
    diff_check py-traceback-u off
}

@test "differential: python -u: tracebacks written line by line (py-traceback-u), LWRAP_LOGS=text" {
    diff_check py-traceback-u text
}

@test "differential: python -u: tracebacks written line by line (py-traceback-u), LWRAP_LOGS=json" {
    diff_check py-traceback-u json
}

@test "differential: python -u: invalid UTF-8, NUL, partial lines (py-binary-u), LWRAP_LOGS=off" {
    diff_check py-binary-u off
}

@test "differential: python -u: invalid UTF-8, NUL, partial lines (py-binary-u), LWRAP_LOGS=text" {
    diff_check py-binary-u text
}

@test "differential: python -u: invalid UTF-8, NUL, partial lines (py-binary-u), LWRAP_LOGS=json" {
    diff_check py-binary-u json
}

@test "differential: python: JSON lines (EMF) between text lines (py-json), LWRAP_LOGS=off" {
    diff_check py-json off
}

@test "differential: python: JSON lines (EMF) between text lines (py-json), LWRAP_LOGS=text" {
    diff_check py-json text
}

@test "differential: python: JSON lines (EMF) between text lines (py-json), LWRAP_LOGS=json" {
    diff_check py-json json
}

@test "differential: python: dup2 of a file onto fd 1, close(1) then open (py-dup2), LWRAP_LOGS=off" {
    diff_check py-dup2 off
}

@test "differential: python: dup2 of a file onto fd 1, close(1) then open (py-dup2), LWRAP_LOGS=text" {
    diff_check py-dup2 text
}

@test "differential: python: dup2 of a file onto fd 1, close(1) then open (py-dup2), LWRAP_LOGS=json" {
    diff_check py-dup2 json
}

@test "differential: node: worker_threads (node-workers), LWRAP_LOGS=off" {
    diff_check node-workers off
}

@test "differential: node: worker_threads (node-workers), LWRAP_LOGS=text" {
    diff_check node-workers text
}

@test "differential: node: worker_threads (node-workers), LWRAP_LOGS=json" {
    diff_check node-workers json
}

@test "differential: node: Error stacks, multi-line logs, uncaught exception (node-errors), LWRAP_LOGS=off" {
    diff_check node-errors off
}

@test "differential: node: Error stacks, multi-line logs, uncaught exception (node-errors), LWRAP_LOGS=text" {
    diff_check node-errors text
}

@test "differential: node: Error stacks, multi-line logs, uncaught exception (node-errors), LWRAP_LOGS=json" {
    diff_check node-errors json
}

@test "differential: node: non-blocking process.stdout, 2 MB (node-nonblock), LWRAP_LOGS=off" {
    diff_check node-nonblock off
}

@test "differential: node: non-blocking process.stdout, 2 MB (node-nonblock), LWRAP_LOGS=text" {
    diff_check node-nonblock text
}

@test "differential: node: non-blocking process.stdout, 2 MB (node-nonblock), LWRAP_LOGS=json" {
    diff_check node-nonblock json
}

@test "differential: C stdio: printf after dup2 of a file onto fd 1 and close(1) then open (c-stdio), LWRAP_LOGS=off" {
    diff_check c-stdio off
}

@test "differential: C stdio: printf after dup2 of a file onto fd 1 and close(1) then open (c-stdio), LWRAP_LOGS=text" {
    diff_check c-stdio text
}

@test "differential: C stdio: printf after dup2 of a file onto fd 1 and close(1) then open (c-stdio), LWRAP_LOGS=json" {
    diff_check c-stdio json
}

@test "differential: C: write/writev/send the kernel refuses (EFAULT, EINVAL, ENOTSOCK) get its answer, threads, own SIGSEGV handler (c-kernel-errors), LWRAP_LOGS=off" {
    diff_check c-kernel-errors off
}

@test "differential: C: write/writev/send the kernel refuses (EFAULT, EINVAL, ENOTSOCK) get its answer, threads, own SIGSEGV handler (c-kernel-errors), LWRAP_LOGS=text" {
    diff_check c-kernel-errors text
}

@test "differential: C: write/writev/send the kernel refuses (EFAULT, EINVAL, ENOTSOCK) get its answer, threads, own SIGSEGV handler (c-kernel-errors), LWRAP_LOGS=json" {
    diff_check c-kernel-errors json
}

@test "differential: java: 4 threads println, printStackTrace (java-threads), LWRAP_LOGS=off" {
    diff_check java-threads off
}

@test "differential: java: 4 threads println, printStackTrace (java-threads), LWRAP_LOGS=text" {
    diff_check java-threads text
}

@test "differential: java: 4 threads println, printStackTrace (java-threads), LWRAP_LOGS=json" {
    diff_check java-threads json
}
