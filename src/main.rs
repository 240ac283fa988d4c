fn main() -> std::process::ExitCode {
    meshls::cli::main()
}

// Indexing allocates many small short-lived values on every core; mimalloc's per-thread heaps
// make that markedly cheaper than glibc malloc (see docs/performance.md).
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
