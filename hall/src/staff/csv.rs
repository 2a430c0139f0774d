//! CSV downloads of the report's tables: UTF-8 with a byte-order mark (so spreadsheet
//! programs read the Chinese headers correctly), CRLF line ends, RFC 4180 quoting, and text
//! that a spreadsheet would take for a formula (`=`, `+`, `-`, `@` first) made inert with a
//! leading apostrophe. Only aggregates are ever written.

/// The UTF-8 byte-order mark.
pub const BOM: &str = "\u{FEFF}";

/// One field, quoted when it holds a comma, a quote or a line break.
pub fn field(text: &str) -> String {
    let looks_numeric = text.parse::<f64>().is_ok();
    let guarded = match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !looks_numeric => format!("'{text}"),
        _ => text.to_owned(),
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A whole document: the BOM, the header row, the rows.
pub fn document(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from(BOM);
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        cells.map(field).collect::<Vec<_>>().join(",") + "\r\n"
    };
    out.push_str(&line(&mut headers.iter().copied()));
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_with_the_bom_and_quotes_what_needs_quoting() {
        let doc = document(
            &["部门", "受理量"],
            &[
                vec!["县公安局".into(), "12".into()],
                vec!["人社局, 医保局".into(), "3".into()],
                vec!["名称带\"引号\"".into(), "0".into()],
                vec!["两行\n文字".into(), "-1.5".into()],
            ],
        );
        assert!(doc.as_bytes().starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM");
        let lines: Vec<&str> = doc[BOM.len()..].split("\r\n").collect();
        assert_eq!(lines[0], "部门,受理量");
        assert_eq!(lines[1], "县公安局,12");
        assert_eq!(lines[2], "\"人社局, 医保局\",3");
        assert_eq!(lines[3], "\"名称带\"\"引号\"\"\",0");
        assert_eq!(lines[4], "\"两行\n文字\",-1.5", "a number keeps its sign");
        assert_eq!(lines[5], "", "the last row ends with CRLF");
    }

    #[test]
    fn formulas_are_made_inert() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1 555"), "'+1 555");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("-"), "'-");
        assert_eq!(
            field("—"),
            "—",
            "the em dash of a missing figure is plain text"
        );
        assert_eq!(field("87.5%"), "87.5%");
    }
}
