#define _GNU_SOURCE
#include "cshim.h"

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

static volatile sig_atomic_t forward_to_pid = 0;
static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

static void forward_signal(int sig) {
    if (forward_to_pid > 0) kill((pid_t)forward_to_pid, sig);
}

void cshim_forward_signals_to(pid_t child) {
    forward_to_pid = child;
    struct sigaction action = {0};
    action.sa_handler = forward_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
        sigaction(forwarded_signals[i], &action, NULL);
}

void cshim_stop_forwarding_signals(void) {
    struct sigaction action = {0};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
        sigaction(forwarded_signals[i], &action, NULL);
    forward_to_pid = 0;
}

static sigset_t saved_mask;

void cshim_block_forwarded_signals(void) {
    sigset_t block;
    sigemptyset(&block);
    for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
        sigaddset(&block, forwarded_signals[i]);
    sigprocmask(SIG_BLOCK, &block, &saved_mask);
}

void cshim_restore_signal_mask(void) {
    sigprocmask(SIG_SETMASK, &saved_mask, NULL);
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
