// CShim: the few pieces of a container runtime that Swift cannot express.
//
// Everything else lives in Swift, in Sources/Runtime. These are here because they are
// C macros (wait status, makedev), raw system calls glibc does not wrap (clone without a
// new stack, pivot_root), or code that must be async-signal-safe (signal forwarding).
#ifndef CSHIM_H
#define CSHIM_H

#include <signal.h>
#include <sys/types.h>

#include "cshim_paths.h"
#include "cshim_process_settings.h"
#include "cshim_console.h"

/// clone(2) used like fork(2): the child continues on a copy of the caller's stack.
/// `flags` are CLONE_NEW* namespace flags; SIGCHLD is added so the parent can wait for it.
/// Returns the child's PID in the parent, 0 in the child, -1 with errno on failure.
pid_t cshim_clone(unsigned long flags);

/// pivot_root(2), which glibc does not wrap.
int cshim_pivot_root(const char *new_root, const char *put_old);

/// The C macros for a wait(2) status.
int cshim_wifexited(int status);
int cshim_wexitstatus(int status);
int cshim_wifsignaled(int status);
int cshim_wtermsig(int status);

/// makedev(3) is a macro.
dev_t cshim_makedev(unsigned int major, unsigned int minor);

/// How many children one process can forward signals to at a time.
#define CSHIM_MAX_FORWARDED_CHILDREN 64

/// Forward SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH to `child`, as
/// well as to any other child already registered. Each child keeps its own count of SIGINT
/// and SIGTERM: the first is forwarded, the second is sent as SIGKILL (docker stop's forced
/// stop). The handler only calls kill(2), which is async-signal-safe.
/// Returns 0, or -1 with errno EAGAIN when the table is full.
int cshim_forward_signals_to(pid_t child);

/// Stop forwarding to `child` (call it before reaping it, so a signal can never reach a
/// recycled PID); the default dispositions come back with the last child.
/// Returns how many SIGINT/SIGTERM the child was sent (2 or more: the last was SIGKILL).
int cshim_stop_forwarding_signals(pid_t child);

/// statfs(2)'s f_type for `path` (the filesystem's magic number), or -1 with errno.
/// <sys/vfs.h> is not part of Swift's Glibc module.
long cshim_filesystem_type(const char *path);

/// lsetxattr(2) and lgetxattr(2) (<sys/xattr.h> is not in Swift's Glibc module).
/// Overlay marks opaque directories with the `trusted.overlay.opaque` attribute.
int cshim_lsetxattr(const char *path, const char *name, const void *value, size_t size);
long cshim_lgetxattr(const char *path, const char *name, void *value, size_t size);

/// prctl(PR_SET_PDEATHSIG, SIGKILL): the kernel kills the calling process when its parent
/// dies, so a container never outlives a lesson killed with SIGKILL.
int cshim_die_with_parent(void);

/// Block the forwarded signals until forwarding is in place, so that a signal that
/// arrives while a child is being started is held, not lost (or fatal to us alone).
/// The previous mask goes to `saved`, the caller's own: nothing is shared between children.
void cshim_block_forwarded_signals(sigset_t *saved);

/// Restore the mask saved by cshim_block_forwarded_signals(), in the parent once
/// forwarding is installed.
void cshim_restore_signal_mask(const sigset_t *saved);

/// In a freshly cloned child, before anything else: forget the parent's forwarding table,
/// put the forwarded signals and SIGPIPE back to their default dispositions (an ignored
/// signal stays ignored across execve), then restore `saved`, the mask from before clone.
void cshim_child_reset_signals(const sigset_t *saved);

/// signal(SIGPIPE, SIG_IGN): a lesson or minidock writing to a closed pipe gets EPIPE,
/// an error it can handle (clean up, then exit), instead of dying where it stands.
int cshim_ignore_sigpipe(void);

#endif
