// LAZY(library, return type, name, (parameters), (arguments)) defines `name` to forward to the
// library's own `name`, loaded on first call. LAZY_VOID is the same for functions returning void.
#include "cloader.h"

#define LAZY(library, type, name, parameters, arguments)                                  \
    type name parameters {                                                               \
        static void *slot;                                                               \
        return ((type(*) parameters)cloader_symbol(&slot, &library, #name)) arguments;   \
    }

#define LAZY_VOID(library, name, parameters, arguments)                                  \
    void name parameters {                                                               \
        static void *slot;                                                               \
        ((void(*) parameters)cloader_symbol(&slot, &library, #name)) arguments;          \
    }
