import CCurl

/// POSTs with libcurl: no proxy, no redirects, http and https only; connected only to `pin`'s
/// addresses when given (`CURLOPT_RESOLVE`, see `WebhookTarget.pin`). Blocking; run it on a
/// thread pool.
enum HTTPPoster {
    /// The response's status code.
    static func post(_ body: String, headers: [(String, String)], to url: String, pin: String? = nil, timeout: Duration) throws -> Int {
        _ = CurlSetup.done
        guard let curl = curl_easy_init() else { throw HTTPPostError("libcurl could not start a transfer") }
        defer { curl_easy_cleanup(curl) }
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
        defer { curl_slist_free_all(headerList) }
        let pins = pin.flatMap { curl_slist_append(nil, $0) }
        defer { curl_slist_free_all(pins) }
        var codes = [
            lending_curl_set_string(curl, CURLOPT_URL, url),
            lending_curl_set_list(curl, CURLOPT_HTTPHEADER, headerList),
            lending_curl_set_long(curl, CURLOPT_POSTFIELDSIZE, body.utf8.count),
            lending_curl_set_string(curl, CURLOPT_COPYPOSTFIELDS, body),
            lending_curl_set_string(curl, CURLOPT_PROTOCOLS_STR, "http,https"),
            lending_curl_set_string(curl, CURLOPT_NOPROXY, "*"),
            lending_curl_set_long(curl, CURLOPT_FOLLOWLOCATION, 0),
            lending_curl_set_long(curl, CURLOPT_NOSIGNAL, 1),
            lending_curl_set_long(curl, CURLOPT_TIMEOUT_MS, Int(timeout.components.seconds * 1000)),
            lending_curl_discard_response(curl),
        ]
        if let pins { codes.append(lending_curl_set_list(curl, CURLOPT_RESOLVE, pins)) }
        if let failed = codes.first(where: { $0 != CURLE_OK }) { throw HTTPPostError(describe(failed)) }
        let result = curl_easy_perform(curl)
        guard result == CURLE_OK else { throw HTTPPostError(describe(result)) }
        return Int(lending_curl_response_code(curl))
    }

    private static func describe(_ code: CURLcode) -> String {
        curl_easy_strerror(code).map { String(cString: $0) } ?? "libcurl error \(code.rawValue)"
    }
}

/// libcurl's process-wide set-up, once, before the first transfer: `curl_global_init` is not thread
/// safe itself, and a static is initialised exactly once whichever thread gets there first.
enum CurlSetup {
    static let done: Void = { _ = curl_global_init(LENDING_CURL_GLOBAL_DEFAULT) }()
}

struct HTTPPostError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
