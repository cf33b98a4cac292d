// Libraries loaded on first use, not at start-up.
//
// libcurl, libarchive and libcrypto (with libxml2, ICU, gnutls, krb5, … behind them) are what
// only pull, push, load, save, import and export need, yet as DT_NEEDED entries the dynamic
// loader maps and relocates all ~40 of them before main — ~9 ms of the 13 ms `minidock version`
// took (docs/performance.md). So minidock does not link them: this target defines the functions
// Swift calls, each of which dlopen()s its library the first time one is called and jumps to
// the real function. The C headers still declare them, so the compiler checks each signature.
#ifndef CLOADER_H
#define CLOADER_H

/// A library opened on first use: the file names to try, most specific first.
struct cloader_library {
    const char *names[4];
    const char *package;  // the Debian package that provides it, for the error message
    void *handle;
};

/// The address of `symbol` in `library`, opening the library if needed and caching the result
/// in `*slot`. A library or symbol that cannot be found is fatal: a message on stderr, exit 125.
void *cloader_symbol(void **slot, struct cloader_library *library, const char *symbol);

extern struct cloader_library cloader_libarchive, cloader_libcrypto, cloader_libcurl;

#endif
