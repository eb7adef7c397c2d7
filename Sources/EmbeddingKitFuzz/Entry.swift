import Foundation

#if EMBKIT_FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                             _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// libFuzzer's driver, started from this executable's `main` (`Fuzz/run.sh` builds with
/// `-sanitize=fuzzer,address -D EMBKIT_FUZZING`; libFuzzer's own `main` is not linked).
@main
enum FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { data, size in
            FuzzTarget.current.run(bytes: UnsafeRawBufferPointer(start: data, count: size))
            return 0
        })
    }
}
#else
/// Without libFuzzer: replays the files given as arguments through `EMBKIT_FUZZ_TARGET`'s reader,
/// e.g. to reproduce a finding in a plain debug build.
@main
enum Replay {
    static func main() {
        let target = FuzzTarget.current
        for path in CommandLine.arguments.dropFirst() {
            target.run(path)
            print("\(path): no crash")
        }
    }
}
#endif
