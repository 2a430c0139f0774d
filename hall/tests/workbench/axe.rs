//! Accessibility in the same Chromium: axe-core (the npm package, `axe.min.js` from
//! `AXE_CORE_JS`, which `scripts/test.sh` installs and exports) is injected into the page
//! through WebDriver and run with the WCAG 2.0/2.1 A and AA rules (GB/T 37668 follows WCAG
//! 2.1 AA). A serious or critical violation fails the test with the rule, its impact, the
//! elements (CSS selectors) and axe's help text; lesser ones are printed.
// Test helpers: a panic is how they report a failure.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::OnceLock;

use fantoccini::Client;
use serde_json::{json, Value};

/// The WCAG levels checked.
const TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// Where `axe.min.js` is: `AXE_CORE_JS`, else the cache `scripts/lib.sh` installs into.
fn axe_path() -> PathBuf {
    if let Some(p) = std::env::var_os("AXE_CORE_JS") {
        return PathBuf::from(p);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("kiosk/axe-core/node_modules/axe-core/axe.min.js")
}

/// axe-core's source, read once per test binary.
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = axe_path();
        match std::fs::read_to_string(&path) {
            Ok(s) if s.contains("axe") => s,
            _ => panic!(
                "axe-core is not installed: {} is missing. Install it with \
                 `bash -c 'source scripts/lib.sh && ensure_axe_core'` (scripts/test.sh does \
                 this), or point AXE_CORE_JS at an axe.min.js",
                path.display()
            ),
        }
    })
}

/// Runs axe-core on the page in `c` and returns one line per serious or critical violation
/// (empty: the page passes). `page` names the page in the lines and in what is printed.
pub async fn audit(c: &Client, page: &str) -> Vec<String> {
    let loaded = c
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .unwrap();
    if loaded != Value::Bool(true) {
        c.execute(axe_source(), vec![]).await.unwrap();
    }
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: arguments[0] },
                                 resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => ({
                   id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.map(n => ({ target: n.target.join(' '),
                                              summary: n.failureSummary })) }))))
               .catch(e => done({ error: String(e) }));",
            vec![json!(TAGS)],
        )
        .await
        .unwrap();
    let violations = match result {
        Value::Array(v) => v,
        other => panic!("{page}: axe-core did not run: {other}"),
    };
    let mut failures = Vec::new();
    for v in &violations {
        let impact = v["impact"].as_str().unwrap_or("unknown");
        let nodes = v["nodes"].as_array().cloned().unwrap_or_default();
        let targets: Vec<&str> = nodes
            .iter()
            .filter_map(|n| n["target"].as_str())
            .take(6)
            .collect();
        let line = format!(
            "{page}: {} ({impact}) on {} element(s) [{}]: {}{}",
            v["id"].as_str().unwrap_or("?"),
            nodes.len(),
            targets.join(", "),
            v["help"].as_str().unwrap_or(""),
            nodes
                .first()
                .and_then(|n| n["summary"].as_str())
                .map(|s| format!("\n      {}", s.replace('\n', "\n      ")))
                .unwrap_or_default(),
        );
        if matches!(impact, "serious" | "critical") {
            failures.push(line);
        } else {
            eprintln!("axe (not failing, {impact}): {line}");
        }
    }
    failures
}

/// [`audit`], failing at once on a serious or critical violation.
pub async fn assert_accessible(c: &Client, page: &str) {
    let failures = audit(c, page).await;
    assert!(
        failures.is_empty(),
        "axe-core found serious or critical WCAG 2.1 AA violations:\n{}",
        failures.join("\n")
    );
}
