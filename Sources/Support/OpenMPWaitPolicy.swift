import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// oneDNN runs its convolutions on libgomp threads, which by default keep spinning for a while
/// after every parallel region. On two cores the spinning thread takes the core that OpenBLAS's
/// thread and the main thread need next: a training step ran 2.7 it/s with passive waiting and
/// 0.7 it/s without (same results, bit for bit). libgomp reads `OMP_WAIT_POLICY` once, when it is
/// loaded, so a process that wants passive waiting must start with it in its environment.
public enum OpenMPWaitPolicy {
    /// Re-executes the running binary (same PID, arguments and environment plus
    /// `OMP_WAIT_POLICY=passive`) unless the variable is already set, e.g. by a user who wants
    /// another policy. If the exec fails, the process goes on as it is (slower, still correct).
    public static func relaunchPassiveIfUnset() {
        guard getenv("OMP_WAIT_POLICY") == nil else { return }
        setenv("OMP_WAIT_POLICY", "passive", 1)
        _ = execv("/proc/self/exe", CommandLine.unsafeArgv)
        Log.debug("could not re-execute with OMP_WAIT_POLICY=passive (\(String(cString: strerror(errno)))); OpenMP threads spin")
    }
}
