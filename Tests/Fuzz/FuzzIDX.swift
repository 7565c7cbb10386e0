// libFuzzer target `idx`: the IDX reader behind gzip, as `MNIST.load` uses them. Any input must
// give a parsed file or a `DataError`, never a crash, a trap or a hang. Built and run by run.sh.
import Foundation

func fuzzIDX(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for magic in [IDXFile.imagesMagic, IDXFile.labelsMagic] {
        if let file = try? IDXFile(bytes: bytes, expectedMagic: magic, file: "fuzz") {
            precondition(file.dataOffset + file.elementCount == file.bytes.count, "a parsed IDX file must hold exactly its elements")
        }
    }
    if Gzip.hasMagic(UnsafeRawBufferPointer(start: data, count: size)), let content = try? Gzip.decompress(bytes, file: "fuzz") {
        for magic in [IDXFile.imagesMagic, IDXFile.labelsMagic] {
            _ = try? IDXFile(bytes: content, expectedMagic: magic, file: "fuzz")
        }
    }
}
