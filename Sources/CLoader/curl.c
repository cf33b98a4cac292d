// The libcurl functions the registry client calls, loaded on first use. The variadic ones
// (curl_easy_setopt, curl_easy_getinfo, curl_multi_setopt) are called through ccurl's typed
// wrappers, which look them up with cloader_symbol themselves.
#include <curl/curl.h>
#include "lazy.h"

#define L cloader_libcurl
LAZY_VOID(L, curl_easy_cleanup, (CURL *c), (c))
LAZY(L, CURL *, curl_easy_init, (void), ())
LAZY(L, CURLcode, curl_easy_perform, (CURL *c), (c))
LAZY(L, const char *, curl_easy_strerror, (CURLcode e), (e))
LAZY(L, CURLcode, curl_global_init, (long f), (f))
LAZY(L, CURLMcode, curl_multi_add_handle, (CURLM *m, CURL *c), (m, c))
LAZY(L, CURLMcode, curl_multi_cleanup, (CURLM *m), (m))
LAZY(L, CURLMsg *, curl_multi_info_read, (CURLM *m, int *q), (m, q))
LAZY(L, CURLM *, curl_multi_init, (void), ())
LAZY(L, CURLMcode, curl_multi_perform, (CURLM *m, int *r), (m, r))
LAZY(L, CURLMcode, curl_multi_poll, (CURLM *m, struct curl_waitfd e[], unsigned int n, int t, int *r), (m, e, n, t, r))
LAZY(L, CURLMcode, curl_multi_remove_handle, (CURLM *m, CURL *c), (m, c))
LAZY(L, const char *, curl_multi_strerror, (CURLMcode e), (e))
LAZY(L, struct curl_slist *, curl_slist_append, (struct curl_slist *l, const char *d), (l, d))
LAZY_VOID(L, curl_slist_free_all, (struct curl_slist *l), (l))
