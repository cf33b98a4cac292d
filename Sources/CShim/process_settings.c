#define _GNU_SOURCE
#include "cshim_process_settings.h"

#include <linux/capability.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int cshim_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2] = {
        {.effective = (uint32_t)effective, .permitted = (uint32_t)permitted, .inheritable = (uint32_t)inheritable},
        {.effective = (uint32_t)(effective >> 32), .permitted = (uint32_t)(permitted >> 32),
         .inheritable = (uint32_t)(inheritable >> 32)},
    };
    return (int)syscall(SYS_capset, &header, data);
}

int cshim_drop_bounding(int cap) { return prctl(PR_CAPBSET_DROP, cap, 0, 0, 0); }
int cshim_raise_ambient(int cap) { return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0); }
int cshim_keep_capabilities(void) { return prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0); }
int cshim_no_new_privileges(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }

int cshim_last_capability(void) {
    FILE *file = fopen("/proc/sys/kernel/cap_last_cap", "re");
    int last = CAP_LAST_CAP;
    if (file) {
        if (fscanf(file, "%d", &last) != 1) last = CAP_LAST_CAP;
        fclose(file);
    }
    return last;
}

int cshim_spawn_close_from(posix_spawn_file_actions_t *actions, int first) {
    return posix_spawn_file_actions_addclosefrom_np(actions, first);
}

int cshim_set_dumpable(int value) { return prctl(PR_SET_DUMPABLE, value, 0, 0, 0); }

int cshim_setns(int fd) { return setns(fd, 0); }
