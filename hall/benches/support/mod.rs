//! What the hall's plain benches (`harness = false`) share: `--name N` arguments.

/// The number after `name` on the command line (`cargo bench --bench B -- --rounds 10`), or
/// `default` when it is absent or not a number.
pub fn arg(name: &str, default: usize) -> usize {
    let argv: Vec<String> = std::env::args().collect();
    argv.iter()
        .position(|a| a == name)
        .and_then(|i| argv.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
