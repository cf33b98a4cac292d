#define _GNU_SOURCE
#include "cshim.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t cshim_clone(unsigned long flags) {
    // The raw system call, not glibc's clone() wrapper: with a NULL stack the child
    // shares nothing and returns here on a copy of our stack, exactly like fork(),
    // but it can start in new namespaces (a new PID namespace makes it PID 1).
    // Argument order is x86_64's: flags, stack, parent_tid, child_tid, tls.
    return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

int cshim_pivot_root(const char *new_root, const char *put_old) {
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}

int cshim_wifexited(int status) { return WIFEXITED(status); }
int cshim_wexitstatus(int status) { return WEXITSTATUS(status); }
int cshim_wifsignaled(int status) { return WIFSIGNALED(status); }
int cshim_wtermsig(int status) { return WTERMSIG(status); }

dev_t cshim_makedev(unsigned int major, unsigned int minor) { return makedev(major, minor); }

// Signal forwarding, per child. A process may have several children at once (a monitor,
// a `perform` during a run), so each forwarded child has its own slot: its PID, and how
// many SIGINT/SIGTERM it has been sent (the second one is SIGKILL). The handler reads the
// table and calls kill(2) only, both async-signal-safe; a slot is claimed or released with
// the forwarded signals blocked, so the handler never sees a half-written slot.
static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
#define FORWARDED_COUNT (sizeof forwarded_signals / sizeof forwarded_signals[0])

struct forwarded_child {
    volatile sig_atomic_t pid;            // 0: a free slot
    volatile sig_atomic_t stop_requests;  // SIGINT and SIGTERM received for it so far
};
static struct forwarded_child forwarded[CSHIM_MAX_FORWARDED_CHILDREN];

static void forwarded_set(sigset_t *set) {
    sigemptyset(set);
    for (size_t i = 0; i < FORWARDED_COUNT; i++) sigaddset(set, forwarded_signals[i]);
}

static void forward_signal(int sig) {
    int saved_errno = errno;  // kill(2) may set it under the interrupted code's feet
    for (size_t i = 0; i < CSHIM_MAX_FORWARDED_CHILDREN; i++) {
        pid_t pid = (pid_t)forwarded[i].pid;
        if (pid <= 0) continue;
        int to_send = sig;
        if (sig == SIGINT || sig == SIGTERM) {
            // The first is passed on and the child may stop in its own time; a second
            // means "now": SIGKILL, which even a PID 1 without handlers cannot ignore.
            if (++forwarded[i].stop_requests >= 2) to_send = SIGKILL;
        }
        kill(pid, to_send);
    }
    errno = saved_errno;
}

static void set_forwarded_dispositions(void (*handler)(int)) {
    struct sigaction action = {0};
    action.sa_handler = handler;
    action.sa_flags = SA_RESTART;
    // While the handler runs for one signal, hold the others: it updates the table.
    forwarded_set(&action.sa_mask);
    for (size_t i = 0; i < FORWARDED_COUNT; i++) sigaction(forwarded_signals[i], &action, NULL);
}

static int forwarded_children(void) {
    int count = 0;
    for (size_t i = 0; i < CSHIM_MAX_FORWARDED_CHILDREN; i++) count += forwarded[i].pid > 0;
    return count;
}

int cshim_forward_signals_to(pid_t child) {
    sigset_t block, saved;
    forwarded_set(&block);
    sigprocmask(SIG_BLOCK, &block, &saved);
    int result = -1;
    for (size_t i = 0; i < CSHIM_MAX_FORWARDED_CHILDREN; i++) {
        if (forwarded[i].pid != 0) continue;
        forwarded[i].stop_requests = 0;
        forwarded[i].pid = child;
        set_forwarded_dispositions(forward_signal);
        result = 0;
        break;
    }
    sigprocmask(SIG_SETMASK, &saved, NULL);
    if (result != 0) errno = EAGAIN;
    return result;
}

int cshim_stop_forwarding_signals(pid_t child) {
    sigset_t block, saved;
    forwarded_set(&block);
    sigprocmask(SIG_BLOCK, &block, &saved);
    int stop_requests = 0;
    for (size_t i = 0; i < CSHIM_MAX_FORWARDED_CHILDREN; i++) {
        if (forwarded[i].pid != child) continue;
        stop_requests = forwarded[i].stop_requests;
        forwarded[i].pid = 0;
        forwarded[i].stop_requests = 0;
    }
    // The last child gone: the signals are ours again (Ctrl-C ends us, as it would any program).
    if (forwarded_children() == 0) set_forwarded_dispositions(SIG_DFL);
    sigprocmask(SIG_SETMASK, &saved, NULL);
    return stop_requests;
}

void cshim_block_forwarded_signals(sigset_t *saved) {
    sigset_t block;
    forwarded_set(&block);
    sigprocmask(SIG_BLOCK, &block, saved);
}

void cshim_restore_signal_mask(const sigset_t *saved) {
    sigprocmask(SIG_SETMASK, saved, NULL);
}

void cshim_child_reset_signals(const sigset_t *saved) {
    // Still blocked here (the parent blocked them before clone): clear what we inherited
    // first, or a signal could run the parent's handler here and kill the parent's other
    // children. A caught signal is reset by execve anyway; an ignored one is not, so
    // SIGPIPE, which the lessons and minidock ignore for themselves, goes back to default.
    for (size_t i = 0; i < CSHIM_MAX_FORWARDED_CHILDREN; i++) {
        forwarded[i].pid = 0;
        forwarded[i].stop_requests = 0;
    }
    set_forwarded_dispositions(SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, saved, NULL);
}

int cshim_ignore_sigpipe(void) {
    return signal(SIGPIPE, SIG_IGN) == SIG_ERR ? -1 : 0;
}

long cshim_filesystem_type(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -1;
    return (long)info.f_type;
}

int cshim_lsetxattr(const char *path, const char *name, const void *value, size_t size) {
    return lsetxattr(path, name, value, size, 0);
}

long cshim_lgetxattr(const char *path, const char *name, void *value, size_t size) {
    return (long)lgetxattr(path, name, value, size);
}

int cshim_die_with_parent(void) {
    return prctl(PR_SET_PDEATHSIG, SIGKILL);
}
