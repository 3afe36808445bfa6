import Testing

@testable import Notifications

@Suite struct WebhookTargetPolicyTests {
    @Test(arguments: [
        "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "198.18.0.1",
        "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
        "64:ff9b::a00:1", "2002:7f00:1::", "2001:db8::1",
    ])
    func internalAddressesAreRefused(_ text: String) throws {
        let address = try #require(WebhookTargetPolicy.numericAddress(text))
        #expect(WebhookTargetPolicy.isInternal(address))
    }

    @Test(arguments: [
        "8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:0808:0808::",
    ])
    func publicAddressesAreAllowed(_ text: String) throws {
        let address = try #require(WebhookTargetPolicy.numericAddress(text))
        #expect(!WebhookTargetPolicy.isInternal(address))
    }

    @Test func addressesReadAndPrintBothFamilies() throws {
        #expect(WebhookTargetPolicy.numericAddress("[::1]").map(WebhookTargetPolicy.text(of:)) == "::1")
        #expect(WebhookTargetPolicy.numericAddress("10.0.0.1").map(WebhookTargetPolicy.text(of:)) == "10.0.0.1")
        #expect(WebhookTargetPolicy.numericAddress("example.com") == nil)
    }

    @Test func onlyHTTPSUnlessAllowedAndNeverInside() async {
        let strict = WebhookTargetSettings()
        #expect(await WebhookTarget.check("http://8.8.8.8/hook", settings: strict).failureValue == .plainHTTP)
        #expect(await WebhookTarget.check("ftp://8.8.8.8/hook", settings: strict).failureValue == .malformed)
        #expect(await WebhookTarget.check("https://8.8.8.8/hook", settings: strict).failureValue == nil)
        #expect(await WebhookTarget.check("https://[::1]:6380/", settings: strict).failureValue == .internalAddress("::1"))
        #expect(await WebhookTarget.check("https://localhost:5433/", settings: strict).failureValue != nil)
        let local = WebhookTargetSettings(allowHTTP: true, allowedInternal: [[127, 0, 0, 2]])
        #expect(await WebhookTarget.check("http://127.0.0.2:9000/hook", settings: local).failureValue == nil)
        #expect(await WebhookTarget.check("http://127.0.0.1:9101/metrics", settings: local).failureValue == .internalAddress("127.0.0.1"))
    }
}

extension Result {
    fileprivate var failureValue: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
