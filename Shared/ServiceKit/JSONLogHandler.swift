import Foundation
import Logging

/// One JSON object per line on standard output, ready for a log shipper: time, level, service,
/// instance, message, source, and every metadata key (request and correlation ids among them).
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let service: String
    private let instance: String

    /// - Parameters:
    ///   - label: the logger's label, written as `logger`.
    ///   - service: the service's name, written as `service`.
    ///   - instance: the replica (``ServiceConfiguration/instance``).
    ///   - level: the least severe level written.
    ///   - metadataProvider: metadata added to every record, such as the current `trace_id`.
    public init(
        label: String, service: String, instance: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.service = service
        self.instance = instance
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        var record: [String: Any] = [
            "ts": Self.timestamp(), "level": level.rawValue, "service": service, "instance": instance,
            "logger": label, "msg": message.description, "source": source,
        ]
        let provided = metadataProvider?.get() ?? [:]
        for (key, value) in provided.merging(metadata, uniquingKeysWith: { $1 }).merging(explicit ?? [:], uniquingKeysWith: { $1 }) {
            record[key] = Self.jsonValue(value)
        }
        guard var line = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        line.append(UInt8(ascii: "\n"))
        // One write per record: lines from concurrent tasks never interleave.
        line.withUnsafeBytes { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }

    private static func jsonValue(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(jsonValue)
        case .dictionary(let dictionary): dictionary.mapValues(jsonValue)
        }
    }

    private static func timestamp() -> String {
        Date.now.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
