//! Allocator settings for a server that runs for hours.

/// Limits glibc's malloc to one arena.
///
/// glibc gives threads that allocate at the same time separate arenas (up to eight per
/// core), and each arena keeps the memory freed in it for reuse by that arena only. Lints
/// run on tokio's blocking threads, which change over time, so without a limit the process
/// holds a copy of a lint's peak working set in several arenas. With one arena, threads
/// that allocate at the same time wait for each other on its lock instead.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::ffi::c_int;

        /// `M_ARENA_MAX` from glibc's `malloc.h`.
        const M_ARENA_MAX: c_int = -8;
        unsafe extern "C" {
            fn mallopt(param: c_int, value: c_int) -> c_int;
        }
        // SAFETY: mallopt only changes allocator parameters, under glibc's own lock.
        unsafe {
            mallopt(M_ARENA_MAX, 1);
        }
    }
}
