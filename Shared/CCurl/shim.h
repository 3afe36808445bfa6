#ifndef LENDING_CCURL_SHIM_H
#define LENDING_CCURL_SHIM_H

#include <curl/curl.h>

// curl_easy_setopt is variadic, and Swift does not import variadic C functions: one typed
// wrapper per kind of value.
static inline CURLcode lending_curl_set_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode lending_curl_set_string(CURL *curl, CURLoption option, const char *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode lending_curl_set_pointer(CURL *curl, CURLoption option, void *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode lending_curl_set_list(CURL *curl, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(curl, option, value);
}

typedef size_t (*lending_curl_read_callback)(char *buffer, size_t size, size_t count, void *context);

static inline CURLcode lending_curl_set_read_function(CURL *curl, lending_curl_read_callback callback) {
    return curl_easy_setopt(curl, CURLOPT_READFUNCTION, callback);
}

// The response is not wanted (a webhook receiver's answer is its status): libcurl would write
// it to stdout otherwise.
static size_t lending_curl_discard(char *buffer, size_t size, size_t count, void *context) {
    (void)buffer; (void)context;
    return size * count;
}

static inline CURLcode lending_curl_discard_response(CURL *curl) {
    return curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, lending_curl_discard);
}

// curl_easy_getinfo is variadic too.
static inline long lending_curl_response_code(CURL *curl) {
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

// Macros Swift does not import.
static const long LENDING_CURL_GLOBAL_DEFAULT = CURL_GLOBAL_DEFAULT;

#endif
