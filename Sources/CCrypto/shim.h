// OpenSSL's libcrypto, from Debian's libssl-dev: SHA-256 for content addressing.
// A system library rather than a Swift package keeps the lessons' first build short.
#include <openssl/evp.h>
