// The libcrypto functions Runtime calls (SHA-256 digests), loaded on first use.
#include <openssl/evp.h>
#include "lazy.h"

#define L cloader_libcrypto
LAZY(L, EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())
LAZY_VOID(L, EVP_MD_CTX_free, (EVP_MD_CTX *c), (c))
LAZY(L, const EVP_MD *, EVP_sha256, (void), ())
LAZY(L, int, EVP_DigestInit_ex, (EVP_MD_CTX *c, const EVP_MD *t, ENGINE *e), (c, t, e))
LAZY(L, int, EVP_DigestUpdate, (EVP_MD_CTX *c, const void *d, size_t n), (c, d, n))
LAZY(L, int, EVP_DigestFinal_ex, (EVP_MD_CTX *c, unsigned char *md, unsigned int *s), (c, md, s))
