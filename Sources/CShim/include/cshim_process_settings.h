// CShim, a container process's settings: the calls for capabilities and prctl options that
// glibc does not wrap (capset) or wraps as a variadic function Swift cannot call (prctl).
#ifndef CSHIM_PROCESS_SETTINGS_H
#define CSHIM_PROCESS_SETTINGS_H

#include <stdint.h>

/// capset(2), version 3: the effective, permitted and inheritable sets as 64-bit masks.
int cshim_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable);

/// prctl(PR_CAPBSET_DROP, cap): remove `cap` from the bounding set.
int cshim_drop_bounding(int cap);

/// prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap).
int cshim_raise_ambient(int cap);

/// prctl(PR_SET_KEEPCAPS, 1): keep the permitted set across setuid away from 0.
int cshim_keep_capabilities(void);

/// prctl(PR_SET_NO_NEW_PRIVS, 1): execve can never grant privileges again (setuid bits, file caps).
int cshim_no_new_privileges(void);

/// prctl(PR_SET_DUMPABLE, value): 0 makes /proc/self/* root's and unreachable by ptrace —
/// what a process joining a container must be while it is in there.
int cshim_set_dumpable(int value);

/// setns(2) (behind _GNU_SOURCE in glibc): join the namespace `fd` refers to.
int cshim_setns(int fd);

/// The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap's value).
int cshim_last_capability(void);

#include <spawn.h>

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34+, behind _GNU_SOURCE): the spawned
/// program gets no descriptor from `first` on.
int cshim_spawn_close_from(posix_spawn_file_actions_t *actions, int first);

#endif
