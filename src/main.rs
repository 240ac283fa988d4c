fn main() -> std::process::ExitCode {
    meshls::cli::main()
}
