// The fuzz binary's one libFuzzer entry point. run.sh compiles VAECore's sources (and the
// explorer's PNG reader) once, with every target beside them, into one binary; the environment
// variable FUZZ_TARGET picks the target a run feeds: idx, safetensors, png or model.
import Foundation

/// The targets by name, each a function of one input's bytes that traps on a broken invariant.
let fuzzTargets: [String: (UnsafePointer<UInt8>, Int) -> Void] = [
    "idx": fuzzIDX, "safetensors": fuzzSafeTensors, "png": fuzzPNG, "model": fuzzModel,
]

/// The target FUZZ_TARGET names, read once.
let fuzzTarget: (UnsafePointer<UInt8>, Int) -> Void = {
    guard let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"], let target = fuzzTargets[name] else {
        let names = fuzzTargets.keys.sorted().joined(separator: ", ")
        FileHandle.standardError.write(Data("FUZZ_TARGET must name one of \(names)\n".utf8))
        exit(2)
    }
    return target
}()

/// Called by libFuzzer before the first input: an unknown FUZZ_TARGET stops the run here, in
/// words, rather than as a crash on the first input.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    _ = fuzzTarget
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzTarget(data, size)
    return 0
}
