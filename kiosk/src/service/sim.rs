//! `kioskctl sim …`: what a person does to the simulated devices of a `sim` kiosk (demo,
//! training, end-to-end tests) — place a sample ID card, take it away, scan a code, run the
//! printer out of paper, pull a cable.

use kiosk_drivers::idcard::sim::{Fault, SAMPLES};
use kiosk_drivers::status::DeviceClass;

use crate::devices::SimControl;

/// The words, for help and errors.
pub const WORDS: &str = "card place [SAMPLE] | card remove | card fault NAME on|off | \
scan TEXT | printer CONDITION (paper-out, paper-low, paper-ok, cover-open, cover-closed, \
cutter-jam, offline, online, clear) | unplug idcard|printer|scanner | \
replug idcard|printer|scanner | receipts";

fn device(word: &str) -> Result<DeviceClass, String> {
    match word {
        "idcard" | "reader" => Ok(DeviceClass::IdCardReader),
        "printer" => Ok(DeviceClass::ReceiptPrinter),
        "scanner" => Ok(DeviceClass::Scanner),
        other => Err(format!(
            "unknown device `{other}`: idcard, printer or scanner"
        )),
    }
}

/// Carries out one line; returns what happened, in English.
pub fn act(sim: &SimControl, line: &str) -> Result<String, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let err = |e: crate::devices::DeviceError| e.to_string();
    match words.as_slice() {
        ["card", "place"] => sim.place_card().map_err(err).map(|()| "card placed".into()),
        ["card", "place", name] => sim
            .place_sample(name)
            .map_err(err)
            .map(|()| format!("sample card {name} placed")),
        ["card", "remove"] => sim
            .remove_card()
            .map_err(err)
            .map(|()| "card removed".into()),
        ["card", "fault", name, on @ ("on" | "off")] => {
            let fault = Fault::from_name(name).ok_or_else(|| {
                format!(
                    "unknown reader fault `{name}`: {}",
                    Fault::ALL.map(Fault::name).join(", ")
                )
            })?;
            sim.reader_fault(fault, *on == "on")
                .map_err(err)
                .map(|()| format!("reader fault {name} {on}"))
        }
        ["card", "samples"] => Ok(SAMPLES.map(|(n, _)| n).join("\n")),
        ["scan", ..] if words.len() > 1 => {
            // The code is everything after the word, spaces kept.
            let text = line.trim_start()["scan".len()..].trim();
            sim.scan(text).map_err(err).map(|()| "scanned".into())
        }
        ["printer", condition] => sim
            .printer_fault(condition)
            .map_err(err)
            .map(|()| format!("printer: {condition}")),
        ["unplug", d] => {
            let class = device(d)?;
            sim.unplug(class)
                .map_err(err)
                .map(|()| format!("{class} unplugged"))
        }
        ["replug", d] => {
            let class = device(d)?;
            sim.replug(class)
                .map_err(err)
                .map(|()| format!("{class} plugged back in"))
        }
        ["receipts"] => {
            let dir = sim
                .receipts_dir()
                .map_or("(not saved)".to_owned(), |d| d.display().to_string());
            let printed = sim.printed().map_err(err)?;
            Ok(format!("{printed} receipts printed; PNG files in {dir}"))
        }
        _ => Err(format!("cannot do `{line}`; say one of: {WORDS}")),
    }
}
