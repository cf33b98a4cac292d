#define _GNU_SOURCE
#include "cshim_paths.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

const uint64_t cshim_resolve_in_root = RESOLVE_IN_ROOT;
const uint64_t cshim_resolve_no_symlinks = RESOLVE_NO_SYMLINKS;
const uint64_t cshim_resolve_no_magiclinks = RESOLVE_NO_MAGICLINKS;
const uint64_t cshim_resolve_no_xdev = RESOLVE_NO_XDEV;
const int cshim_o_path = O_PATH;

int cshim_openat2(int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve) {
    struct open_how how = {.flags = (uint64_t)flags, .mode = (uint64_t)mode, .resolve = resolve};
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int cshim_fsetxattr(int fd, const char *name, const void *value, size_t size) {
    return fsetxattr(fd, name, value, size, 0);
}

long cshim_fgetxattr(int fd, const char *name, void *value, size_t size) {
    return (long)fgetxattr(fd, name, value, size);
}
