//! `kioskctl idcard`: read a card from a reader on a port (masked unless `--reveal`), or run
//! the reader simulator on a tty or on its own pseudo-terminal for a driver to open.

use std::io::BufRead;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use kiosk_drivers::idcard::sim::{load_card_arg, Fault, SimControl, SimLine, SimulatorHandle};
use kiosk_drivers::idcard::{
    IdCard, Pace, ReaderEvent, ReaderHandle, RunnerConfig, SerialConnector, Validity,
};
use kiosk_drivers::status::{ClassStatus, DeviceEvent, DeviceState};
use serde_json::{json, Value};

/// `kioskctl idcard …`
#[derive(Debug, Args)]
pub struct IdCardArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: IdCardCommand,
}

/// The ID-card reader commands.
#[derive(Debug, Subcommand)]
pub enum IdCardCommand {
    /// Wait for a card on the reader and print it (masked as on a receipt unless --reveal).
    Read {
        /// The reader's serial port (/dev/ttyUSB0, or a simulator's path).
        #[arg(long)]
        port: String,
        /// Baud rate to try first (default: detect, 115200 down to 9600).
        #[arg(long)]
        baud: Option<u32>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Show name, ID number, address and birth date unmasked (bench work only).
        #[arg(long)]
        reveal: bool,
        /// Seconds to wait for a card.
        #[arg(long, default_value_t = 20)]
        wait: u64,
    },
    /// Run the reader simulator, serving a card, until stdin closes or `quit`.
    ///
    /// On stdin: `remove`, `place`, `fault NAME on|off`, `quit`.
    Simulate {
        /// An existing tty to serve on (e.g. one end of a null-modem cable).
        #[arg(long, conflicts_with = "pty")]
        port: Option<String>,
        /// Open an own pseudo-terminal and keep a symlink to it at this path (printed).
        #[arg(long, value_name = "LINK", num_args = 0..=1, default_missing_value = "/tmp/kiosk-idcard-sim")]
        pty: Option<PathBuf>,
        /// Card file (TOML, see drivers/samples/idcard/) or a bundled sample name.
        #[arg(long, default_value = "resident-zhang-san")]
        card: String,
        /// A fault to switch on at start (repeatable).
        #[arg(long = "fault", value_name = "NAME")]
        faults: Vec<String>,
        /// The reader's line rate.
        #[arg(long, default_value_t = 115_200)]
        baud: u32,
    },
}

/// Runs `kioskctl idcard …`; returns the exit code.
pub fn run(args: IdCardArgs) -> i32 {
    match args.command {
        IdCardCommand::Read {
            port,
            baud,
            json,
            reveal,
            wait,
        } => read(port, baud, json, reveal, wait),
        IdCardCommand::Simulate {
            port,
            pty,
            card,
            faults,
            baud,
        } => simulate(port, pty, &card, &faults, baud),
    }
}

fn read(port: String, baud: Option<u32>, json: bool, reveal: bool, wait: u64) -> i32 {
    // The technician is about to place a card: look for it eagerly.
    let config = RunnerConfig {
        baud,
        pace: Pace::Eager,
        ..RunnerConfig::default()
    };
    let reader = ReaderHandle::spawn(SerialConnector { path: port.clone() }, config);
    let end = Instant::now() + Duration::from_secs(wait);
    let mut last_problem = String::from("no card was placed");
    let mut reader_line = String::new();
    eprintln!("Waiting up to {wait} s for a card on {port} …");
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        let Ok(event) = reader.events().recv_timeout(left) else {
            break;
        };
        match event {
            ReaderEvent::Status(status) => {
                let DeviceEvent::StatusChanged(s) = *status;
                let sam = match s.detail {
                    ClassStatus::IdCardReader { sam, .. } => format!("{sam:?}"),
                    _ => String::new(),
                };
                reader_line = format!(
                    "{}, SAM {} {}",
                    s.identity.connection,
                    sam,
                    s.identity.serial.as_deref().unwrap_or("")
                );
                if let Some(e) = &s.last_error {
                    let problem = format!("reader {}: {}", s.state, e.message);
                    if !matches!(s.state, DeviceState::Online | DeviceState::Busy)
                        && problem != last_problem
                    {
                        eprintln!("{problem}");
                        last_problem = problem;
                    }
                }
            }
            ReaderEvent::CardPlaced => eprintln!("Card placed, reading …"),
            ReaderEvent::CardRead(card) => {
                if json {
                    outln!(
                        "{}",
                        serde_json::to_string_pretty(&card_json(&card, reveal)).unwrap_or_default()
                    );
                } else {
                    print_card(&card, reveal);
                    outln!("{}{}", pad("读卡器 Reader"), reader_line.trim_end());
                }
                return 0;
            }
            ReaderEvent::ReadFailed { kind, message, .. } => {
                let citizen_sees = crate::session::prompts::device_trouble(
                    Some(kiosk_drivers::status::DeviceClass::IdCardReader),
                    kind,
                    kiosk_config::schema::Language::ZhCn,
                );
                eprintln!("Read failed ({kind}): {message}\n  (citizen sees: {citizen_sees})");
                return 1;
            }
            ReaderEvent::CardRemoved => {}
        }
    }
    eprintln!("No card read within {wait} s: {last_problem}.");
    2
}

/// The fields as a technician sees them; masked like a receipt unless `reveal`.
fn card_fields(card: &IdCard, reveal: bool) -> Vec<(&'static str, &'static str, String)> {
    let pick = |clear: String, masked: String| if reveal { clear } else { masked };
    let mut out = vec![
        ("kind", "证件类型 Card", card.kind.name_zh().to_owned()),
        (
            "name",
            "姓名 Name",
            pick(card.name.clone(), vocab::mask::mask_name(&card.name)),
        ),
    ];
    if let Some(en) = &card.english_name {
        out.push((
            "englishName",
            "英文姓名 English",
            pick(en.clone(), vocab::mask::mask_name(en)),
        ));
    }
    out.push(("gender", "性别 Gender", card.gender.name_zh().to_owned()));
    if let Some(n) = card.nation {
        out.push((
            "nation",
            "民族 Nation",
            format!("{} ({})", n.name_zh(), n.name_en()),
        ));
    }
    out.push((
        "birthDate",
        "出生 Born",
        pick(
            card.birth_date.to_string(),
            format!("{}-**-**", card.birth_date.year),
        ),
    ));
    if let Some(a) = &card.address {
        out.push((
            "address",
            "住址 Address",
            pick(a.clone(), card.masked_address()),
        ));
    }
    out.push((
        "idNumber",
        "号码 ID number",
        pick(card.id_number.clone(), card.masked_id_number()),
    ));
    let optional = [
        (
            "issuingAuthority",
            "签发机关 Issuer",
            card.issuing_authority.clone(),
        ),
        (
            "passNumber",
            "通行证 Pass no.",
            card.pass_number
                .clone()
                .map(|p| pick(p.clone(), vocab::mask::mask_pass_number(&p))),
        ),
        ("issueCount", "签发次数 Issues", card.issue_count.clone()),
        ("nationality", "国籍 Nationality", card.nationality.clone()),
        ("cardVersion", "证件版本 Version", card.card_version.clone()),
        (
            "authorityCode",
            "受理机关 Office",
            card.authority_code.clone(),
        ),
    ];
    out.extend(
        optional
            .into_iter()
            .filter_map(|(k, l, v)| v.map(|v| (k, l, v))),
    );
    let until = match card.valid_until {
        Validity::Until(d) => d.to_string(),
        Validity::LongTerm => "长期".to_owned(),
    };
    out.push((
        "validity",
        "有效期 Valid",
        format!("{} – {until}", card.valid_from),
    ));
    out.push((
        "photo",
        "照片 Photo",
        format!("{} bytes WLT, not decoded (no vendor WLT library installed; screens show a placeholder)", card.photo_wlt.len()),
    ));
    out
}

/// Pads a label to a column, counting CJK characters as two cells wide.
fn pad(label: &str) -> String {
    let width: usize = label
        .chars()
        .map(|c| if c >= '\u{1100}' { 2 } else { 1 })
        .sum();
    format!("{label}{}", " ".repeat(20usize.saturating_sub(width)))
}

fn print_card(card: &IdCard, reveal: bool) {
    for (_, label, value) in card_fields(card, reveal) {
        outln!("{}{value}", pad(label));
    }
    if !reveal {
        outln!("(personal data masked as on a receipt; --reveal shows it)");
    }
}

fn card_json(card: &IdCard, reveal: bool) -> Value {
    let mut map = serde_json::Map::new();
    for (key, _, value) in card_fields(card, reveal) {
        map.insert(key.to_owned(), Value::String(value));
    }
    map.insert("masked".into(), json!(!reveal));
    Value::Object(map)
}

fn simulate(
    port: Option<String>,
    pty: Option<PathBuf>,
    card: &str,
    faults: &[String],
    baud: u32,
) -> i32 {
    let card = match load_card_arg(card) {
        Ok(card) => card,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let control = SimControl::new(Some(card), baud);
    for name in faults {
        match Fault::from_name(name) {
            Some(f) => control.set_fault(f, true),
            None => {
                eprintln!(
                    "unknown fault {name}; faults are {}",
                    Fault::ALL.map(|f| f.name()).join(", ")
                );
                return 1;
            }
        }
    }
    let line = match (port, pty) {
        (Some(port), _) => SimLine::Tty(port),
        (None, Some(link)) => SimLine::OwnPty(link),
        (None, None) => {
            eprintln!(
                "give --port PATH (an existing tty) or --pty [LINK] (an own pseudo-terminal)"
            );
            return 1;
        }
    };
    let sim = match SimulatorHandle::start(control.clone(), line) {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    outln!("Simulated ID-card reader at {baud} baud on {}", sim.path());
    outln!(
        "Give the driver this path, e.g.: kioskctl idcard read --port {}",
        sim.path()
    );
    outln!(
        "Commands: remove | place | fault NAME on|off | quit   (faults: {})",
        Fault::ALL.map(|f| f.name()).join(", ")
    );
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["quit"] | ["exit"] => return 0,
            ["remove"] => control.remove_card(),
            ["place"] => control.place_card(None),
            ["fault", name, onoff @ ("on" | "off")] => match Fault::from_name(name) {
                Some(f) => control.set_fault(f, *onoff == "on"),
                None => eprintln!("unknown fault {name}"),
            },
            [] => {}
            _ => eprintln!("commands: remove | place | fault NAME on|off | quit"),
        }
        outln!("ok ({} commands answered so far)", control.commands_seen());
    }
    // Stdin closed (run from a script): keep serving until killed.
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_drivers::idcard::sim::sample_card;

    #[test]
    fn masked_fields_hide_the_personal_data() {
        let (card, _) = sample_card("zhang-san").unwrap();
        let text = format!("{:?}", card_fields(&card, false));
        for secret in ["张三", "11010519491231002X", "示例路", "1949-12-31"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("1101**********002X") && text.contains("张*"));
        let revealed = format!("{:?}", card_fields(&card, true));
        assert!(revealed.contains("11010519491231002X") && revealed.contains("张三"));
    }

    #[test]
    fn json_says_whether_it_is_masked() {
        let (card, _) = sample_card("hmt").unwrap();
        let v = card_json(&card, false);
        assert_eq!(v["masked"], json!(true));
        assert_eq!(v["idNumber"], json!("8100**********0027"));
        assert_eq!(v["passNumber"], json!("H******78"));
    }
}
