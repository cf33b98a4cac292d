// libcurl (Debian's libcurl4-openssl-dev) for the registry client: HTTP/1.1 and TLS with a
// per-registry CA, and the multi interface for parallel downloads from one thread.
// curl_easy_setopt is variadic, which Swift cannot call: these typed wrappers can be.
#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>

typedef size_t (*ccurl_data_callback)(char *data, size_t size, size_t count, void *context);

CURLcode ccurl_set_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_set_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_set_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_set_size(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_set_write(CURL *handle, ccurl_data_callback callback, void *context);
CURLcode ccurl_set_header_callback(CURL *handle, ccurl_data_callback callback, void *context);
long ccurl_response_code(CURL *handle);
CURLMcode ccurl_multi_set_long(CURLM *multi, CURLMoption option, long value);

#endif
