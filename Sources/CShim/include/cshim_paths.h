// CShim, paths inside a root: the calls Swift's Glibc module does not offer for resolving a
// path inside a directory (openat2 has no glibc wrapper; <sys/xattr.h> is not in the module).
#ifndef CSHIM_PATHS_H
#define CSHIM_PATHS_H

#include <stdint.h>
#include <sys/types.h>

/// The RESOLVE_* flags of openat2(2), spelled here because <linux/openat2.h> is not in Swift's
/// Glibc module.
extern const uint64_t cshim_resolve_in_root;
extern const uint64_t cshim_resolve_no_symlinks;
extern const uint64_t cshim_resolve_no_magiclinks;
extern const uint64_t cshim_resolve_no_xdev;

/// O_PATH (a handle that only names a file) is behind _GNU_SOURCE, which Swift's Glibc lacks.
extern const int cshim_o_path;

/// openat2(2): open `path` relative to `dirfd` with `resolve` restrictions. Returns the new
/// descriptor, or -1 with errno (ENOSYS before Linux 5.6).
int cshim_openat2(int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve);

/// fsetxattr(2) and fgetxattr(2): extended attributes through a descriptor, so that the file
/// named is the one already resolved, not a path walked again.
int cshim_fsetxattr(int fd, const char *name, const void *value, size_t size);
long cshim_fgetxattr(int fd, const char *name, void *value, size_t size);

#endif
