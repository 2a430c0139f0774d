//! The journal an operator asks for: `journalctl -u kiosk --since -Nmin`, scrubbed again
//! before it leaves the kiosk. The service keeps personal data out of its logs already; this
//! second pass catches what a library or a panic message might have let through: ID numbers
//! (15, or 17 digits and a check character), mobile numbers, long digit runs (bank cards),
//! and the value after a name key (`name=`, `"name":`, `姓名`).

use std::process::Command;

use hall_api::updates::MAX_ACTION_OUTPUT;
use vocab::mask::{mask_id_number, mask_name, mask_phone};

use super::install::{run, CommandError};

/// The kiosk service's journal of the last `minutes` minutes, scrubbed and cut to what an
/// action result may carry (the newest lines kept).
pub fn collect(minutes: u32) -> Result<String, CommandError> {
    let out = run(Command::new("journalctl")
        .args(["-u", "kiosk", "--no-pager", "-o", "short-iso"])
        .arg(format!("--since=-{minutes}min")))
    .map_err(|e| match e {
        // What journalctl says goes to the hall too: scrubbed like the journal itself.
        CommandError::Failed { program, reason } => CommandError::Failed {
            program,
            reason: scrub(&reason),
        },
        other => other,
    })?;
    Ok(tail(&scrub(&out), MAX_ACTION_OUTPUT))
}

/// The last `max` bytes of `text`, from a line start.
pub fn tail(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let from = text[start..].find('\n').map_or(start, |i| start + i + 1);
    text[from..].to_owned()
}

const NAME_KEYS: [&str; 6] = [
    "name=",
    "name\":\"",
    "name: ",
    "name\": \"",
    "姓名:",
    "姓名：",
];

fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || c == '·'
}

/// Masks personal data in log text (the same masked forms the screens use).
pub fn scrub(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            // A check character X after 17 digits.
            if j - i == 17 && j < chars.len() && matches!(chars[j], 'X' | 'x') {
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            let masked = match run.len() {
                18 => Some(mask_id_number(&run)),
                15 => Some("*".repeat(15)),
                11 if run.starts_with('1') => Some(mask_phone(&run)),
                n if n >= 12 => Some("*".repeat(n)),
                _ => None,
            };
            out.push_str(masked.as_deref().unwrap_or(&run));
            i = j;
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 8)].iter().collect();
        if let Some(key) = NAME_KEYS.iter().find(|k| rest.starts_with(**k)) {
            out.push_str(key);
            i += key.chars().count();
            let mut j = i;
            while j < chars.len() && is_name_char(chars[j]) {
                j += 1;
            }
            let name: String = chars[i..j].iter().collect();
            out.push_str(&mask_name(&name));
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_phones_and_names_do_not_survive() {
        let log = "2027-01-01T02:00:00+0800 kiosk[7]: card read id=11010519491231002X \
                   name=张三 phone 13812345678 card 6222020200112233445 old 110105491231002\n\
                   panic: {\"name\":\"欧阳娜娜\",\"idNumber\":\"11010519491231002x\"} 姓名：李四 \
                   port /dev/ttyUSB0 at 115200 baud, 3 retries, kiosk-id zizhu-01, v2.0.0\n";
        let clean = scrub(log);
        for secret in [
            "11010519491231002",
            "13812345678",
            "6222020200112233445",
            "110105491231002",
            "张三",
            "阳娜娜",
            "李四",
        ] {
            assert!(!clean.contains(secret), "{secret} left in {clean}");
        }
        assert!(clean.contains("1101**********002X") && clean.contains("138****5678"));
        assert!(clean.contains("name=张*") && clean.contains("姓名：李*"));
        // What a technician needs stays.
        for kept in [
            "/dev/ttyUSB0 at 115200 baud",
            "3 retries",
            "zizhu-01",
            "v2.0.0",
            "2027-01-01T02:00:00+0800",
        ] {
            assert!(clean.contains(kept), "{kept} lost: {clean}");
        }
    }

    #[test]
    fn the_tail_keeps_whole_newest_lines() {
        let text = "first line\nsecond line\nthird\n";
        assert_eq!(tail(text, 100), text);
        assert_eq!(tail(text, 12), "third\n");
    }
}
