//! The delivery log as operators read it (`hall notices list`): per delivery its event id,
//! kind, target, status, attempts, times and the class of its last error. The log holds no
//! message body and nothing personal, so neither does this.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};

use super::queue::DeliveryLogRow;

/// The class of a recorded failure: the part before the cause (`HTTP 503`, `timed out`,
/// `cannot connect`, `SMTP`), as the notifiers write it.
pub fn error_class(last_error: &str) -> &str {
    last_error.split(": ").next().unwrap_or(last_error)
}

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The rows as an aligned text table, newest first, with a header line.
pub fn table(rows: &[DeliveryLogRow]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<20}  {:<26}  {:<16}  {:<9}  {:>8}  {:<20}  {:<20}  {:<20}  LAST ERROR",
        "CREATED", "KIND", "TARGET", "STATUS", "ATTEMPTS", "DELIVERED", "UPDATED", "EVENT"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:<20}  {:<26}  {:<16}  {:<9}  {:>8}  {:<20}  {:<20}  {:<20}  {}",
            at(r.created_at),
            r.kind,
            r.target,
            r.status,
            r.attempts,
            r.delivered_at.map(at).unwrap_or_else(|| "-".into()),
            at(r.updated_at),
            r.event_id.chars().take(20).collect::<String>(),
            r.last_error.as_deref().map(error_class).unwrap_or("-"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_class_drops_the_cause() {
        assert_eq!(error_class("HTTP 503"), "HTTP 503");
        assert_eq!(
            error_class("cannot connect: tcp connect error: Connection refused"),
            "cannot connect"
        );
    }

    #[test]
    fn rows_line_up_under_the_header() {
        let t = DateTime::parse_from_rfc3339("2024-05-06T01:02:03Z")
            .expect("time")
            .with_timezone(&Utc);
        let row = DeliveryLogRow {
            event_id: "0123456789abcdef0123456789abcdef".into(),
            kind: "citizen.correctionRequired".into(),
            target: "county-sms".into(),
            status: "pending".into(),
            attempts: 3,
            last_error: Some("timed out: operation timed out".into()),
            created_at: t,
            delivered_at: None,
            updated_at: t,
        };
        let text = table(&[row]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].find("KIND"), lines[1].find("citizen."));
        assert!(lines[1].ends_with("  timed out"), "{}", lines[1]);
        assert!(lines[1].contains("0123456789abcdef0123 "), "{}", lines[1]);
    }
}
