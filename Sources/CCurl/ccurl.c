#include "ccurl.h"
#include "cloader.h"

// libcurl is loaded on first use (see CLoader), so its variadic functions are looked up here,
// each called with the one argument type its option takes.
typedef CURLcode (*easy_setopt_fn)(CURL *, CURLoption, ...);
typedef CURLcode (*easy_getinfo_fn)(CURL *, CURLINFO, ...);
typedef CURLMcode (*multi_setopt_fn)(CURLM *, CURLMoption, ...);

static easy_setopt_fn easy_setopt(void) {
    static void *slot;
    return (easy_setopt_fn)cloader_symbol(&slot, &cloader_libcurl, "curl_easy_setopt");
}

CURLcode ccurl_set_long(CURL *handle, CURLoption option, long value) { return easy_setopt()(handle, option, value); }
CURLcode ccurl_set_string(CURL *handle, CURLoption option, const char *value) { return easy_setopt()(handle, option, value); }
CURLcode ccurl_set_pointer(CURL *handle, CURLoption option, void *value) { return easy_setopt()(handle, option, value); }
CURLcode ccurl_set_size(CURL *handle, CURLoption option, curl_off_t value) { return easy_setopt()(handle, option, value); }

CURLcode ccurl_set_write(CURL *handle, ccurl_data_callback callback, void *context) {
    CURLcode result = easy_setopt()(handle, CURLOPT_WRITEFUNCTION, callback);
    return result != CURLE_OK ? result : easy_setopt()(handle, CURLOPT_WRITEDATA, context);
}

CURLcode ccurl_set_header_callback(CURL *handle, ccurl_data_callback callback, void *context) {
    CURLcode result = easy_setopt()(handle, CURLOPT_HEADERFUNCTION, callback);
    return result != CURLE_OK ? result : easy_setopt()(handle, CURLOPT_HEADERDATA, context);
}

long ccurl_response_code(CURL *handle) {
    static void *slot;
    long code = 0;
    ((easy_getinfo_fn)cloader_symbol(&slot, &cloader_libcurl, "curl_easy_getinfo"))(handle, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

CURLMcode ccurl_multi_set_long(CURLM *multi, CURLMoption option, long value) {
    static void *slot;
    return ((multi_setopt_fn)cloader_symbol(&slot, &cloader_libcurl, "curl_multi_setopt"))(multi, option, value);
}
