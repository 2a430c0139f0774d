//! Touch flows (`tests/flows/*.txt`): a citizen's visit as the steps a finger takes, read by
//! the end-to-end test (an offscreen kiosk) and by the image's hardware-in-the-loop test (a
//! QMP touch screen). See the header of `tests/flows/citizen-by-touch.txt` for the steps.

use std::path::{Path, PathBuf};

/// One step of a touch flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Wait until the screen is one of these.
    Expect(Vec<String>),
    /// Tap the target with this label.
    Touch(String),
    /// Touch each character's key.
    Type(String),
    /// The sample card on the reader.
    Card,
    /// The last printed receipt's QR code on the scanner.
    ScanReceipt,
    /// A screenshot with this name.
    Shot(String),
}

/// The path of a flow in `tests/flows/`.
pub fn path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("flows")
        .join(format!("{name}.txt"))
}

/// Parses a flow's text; an unknown step or a missing argument is an error naming its line.
pub fn parse(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim();
        let needs = |what: &str| {
            if rest.is_empty() {
                Err(format!("line {}: '{verb}' needs {what}", n + 1))
            } else {
                Ok(rest.to_owned())
            }
        };
        steps.push(match verb {
            "expect" => Step::Expect(
                needs("a screen")?
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect(),
            ),
            "touch" => Step::Touch(needs("a label")?),
            "type" => Step::Type(needs("the text")?),
            "shot" => Step::Shot(needs("a name")?),
            "card" if rest.is_empty() => Step::Card,
            "scan-receipt" if rest.is_empty() => Step::ScanReceipt,
            "card" | "scan-receipt" => {
                return Err(format!("line {}: '{verb}' takes no argument", n + 1))
            }
            other => return Err(format!("line {}: unknown step '{other}'", n + 1)),
        });
    }
    Ok(steps)
}

/// Reads and parses a flow from `tests/flows/`.
pub fn load(name: &str) -> Vec<Step> {
    let path = path(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_parse_and_mistakes_name_their_line() {
        let steps =
            parse("# c\n\nexpect choose browse\ntouch 下一步：确认\ntype 138\ncard\nscan-receipt\nshot home\n")
                .expect("valid");
        assert_eq!(
            steps,
            vec![
                Step::Expect(vec!["choose".into(), "browse".into()]),
                Step::Touch("下一步：确认".into()),
                Step::Type("138".into()),
                Step::Card,
                Step::ScanReceipt,
                Step::Shot("home".into()),
            ]
        );
        assert_eq!(
            parse("touch 办事\nswipe left").unwrap_err(),
            "line 2: unknown step 'swipe'"
        );
        assert_eq!(parse("touch").unwrap_err(), "line 1: 'touch' needs a label");
        assert!(parse("card now").is_err());
    }

    #[test]
    fn the_shipped_flow_parses_and_reaches_a_receipt() {
        let steps = load("citizen-by-touch");
        assert!(steps.contains(&Step::Card));
        assert!(steps.contains(&Step::ScanReceipt));
        assert!(steps.contains(&Step::Expect(vec!["receipt".into()])));
    }
}
