//! The shipped Prometheus alert rules: valid (`promtool check rules`) and firing when they
//! should (`promtool test rules` runs the cases in `prometheus/alerts_test.yml`).

use std::path::Path;
use std::process::Command;

fn promtool(args: &[&str]) -> (bool, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("prometheus");
    let output = Command::new("promtool")
        .args(args)
        .current_dir(dir)
        .output()
        .expect(
            "promtool (Debian package prometheus) must be installed; scripts/test.sh installs it",
        );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn the_rules_are_valid() {
    let (ok, text) = promtool(&["check", "rules", "alerts.yml"]);
    assert!(ok, "{text}");
    assert!(text.contains("14 rules found"), "{text}");
}

#[test]
fn the_rules_fire_as_their_unit_tests_expect() {
    let (ok, text) = promtool(&["test", "rules", "alerts_test.yml"]);
    assert!(ok, "{text}");
}
