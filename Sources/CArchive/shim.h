// libarchive, from Debian's libarchive-dev: reading and writing layer tarballs.
// A well-kept library rather than a hand-written tar parser: tar has four dialects
// (v7, ustar, pax, GNU), long names, sparse files and xattrs, and every one of them
// has been a source of path-escape bugs in hand-written extractors.
#include <archive.h>
#include <archive_entry.h>
