#define _GNU_SOURCE  // program_invocation_short_name
#include "cloader.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct cloader_library cloader_libarchive = {{"libarchive.so.13", "libarchive.so"}, "libarchive13", NULL};
struct cloader_library cloader_libcrypto = {{"libcrypto.so.3", "libcrypto.so"}, "libssl3", NULL};
struct cloader_library cloader_libcurl = {{"libcurl.so.4", "libcurl.so"}, "libcurl4", NULL};

static void fail(const char *what, const char *name, const char *package) {
    const char *error = dlerror();
    fprintf(stderr, "%s: cannot load %s: %s (Debian's %s provides it)\n", program_invocation_short_name, name,
            error ? error : what, package);
    exit(125);
}

void *cloader_symbol(void **slot, struct cloader_library *library, const char *symbol) {
    // Two threads racing here both store the same addresses (dlopen counts references).
    void *address = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (address) return address;
    void *handle = __atomic_load_n(&library->handle, __ATOMIC_ACQUIRE);
    if (!handle) {
        for (int i = 0; !handle && i < 4 && library->names[i]; i++) handle = dlopen(library->names[i], RTLD_NOW | RTLD_LOCAL);
        if (!handle) fail("not found", library->names[0], library->package);
        __atomic_store_n(&library->handle, handle, __ATOMIC_RELEASE);
    }
    address = dlsym(handle, symbol);
    if (!address) fail("symbol not found", symbol, library->package);
    __atomic_store_n(slot, address, __ATOMIC_RELEASE);
    return address;
}
