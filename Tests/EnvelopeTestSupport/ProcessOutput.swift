import Foundation

/// Reads `handle` byte by byte up to the first newline (not included) or end of file.
///
/// Used for helper processes that announce readiness with one JSON line and keep running, so
/// reading to end of file would block.
public func readFirstLine(of handle: FileHandle) -> [UInt8] {
    var line: [UInt8] = []
    while true {
        let chunk = handle.readData(ofLength: 1)
        guard let byte = chunk.first, byte != UInt8(ascii: "\n") else { break }
        line.append(byte)
    }
    return line
}
