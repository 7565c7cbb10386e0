import Foundation

extension DecodingError {
    /// The error in one line of words: which field, and what was wrong ("encoder[3].kernel must be
    /// a whole number"), rather than Foundation's dump of coding paths and contexts.
    public var explanation: String {
        func path(_ keys: [CodingKey]) -> String {
            keys.isEmpty ? "the document" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
        }
        switch self {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context): return "\(path(context.codingPath)) must be \(Self.describe(type))"
        case .valueNotFound(let type, let context): return "\(path(context.codingPath)) must be \(Self.describe(type)), not null"
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // Foundation says no more for text that is not JSON or a number out of its field's range.
            return "it is not valid JSON, or one of its numbers does not fit its field"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(self)"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type: "a number"
        case is Int.Type, is UInt64.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}

/// An error from decoding JSON, in words: a `DecodingError`'s `explanation`, anything else's
/// own description.
public func decodingExplanation(_ error: Error) -> String {
    (error as? DecodingError)?.explanation ?? "\(error)"
}
