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

/// Why a simulator command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// `unplug`/`replug` of a device that is not simulated this way.
    #[error("unknown device `{0}`: idcard, printer or scanner")]
    UnknownDevice(String),
    /// `card fault NAME` of no fault the reader simulator knows.
    #[error("unknown reader fault `{0}`: {faults}", faults = Fault::ALL.map(Fault::name).join(", "))]
    UnknownFault(String),
    /// Words that are no command.
    #[error("cannot do `{0}`; say one of: {WORDS}")]
    Words(String),
    /// The simulated device did not do it.
    #[error(transparent)]
    Device(#[from] crate::devices::DeviceError),
}

fn device(word: &str) -> Result<DeviceClass, SimError> {
    match word {
        "idcard" | "reader" => Ok(DeviceClass::IdCardReader),
        "printer" => Ok(DeviceClass::ReceiptPrinter),
        "scanner" => Ok(DeviceClass::Scanner),
        other => Err(SimError::UnknownDevice(other.to_owned())),
    }
}

/// Carries out one line; returns what happened, in English.
pub fn act(sim: &SimControl, line: &str) -> Result<String, SimError> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["card", "place"] => sim
            .place_card()
            .map_err(SimError::from)
            .map(|()| "card placed".into()),
        ["card", "place", name] => sim
            .place_sample(name)
            .map_err(SimError::from)
            .map(|()| format!("sample card {name} placed")),
        ["card", "remove"] => sim
            .remove_card()
            .map_err(SimError::from)
            .map(|()| "card removed".into()),
        ["card", "fault", name, on @ ("on" | "off")] => {
            let fault =
                Fault::from_name(name).ok_or_else(|| SimError::UnknownFault((*name).to_owned()))?;
            sim.reader_fault(fault, *on == "on")
                .map_err(SimError::from)
                .map(|()| format!("reader fault {name} {on}"))
        }
        ["card", "samples"] => Ok(SAMPLES.map(|(n, _)| n).join("\n")),
        ["scan", ..] if words.len() > 1 => {
            // The code is everything after the word, spaces kept.
            let text = line.trim_start()["scan".len()..].trim();
            sim.scan(text)
                .map_err(SimError::from)
                .map(|()| "scanned".into())
        }
        ["printer", condition] => sim
            .printer_fault(condition)
            .map_err(SimError::from)
            .map(|()| format!("printer: {condition}")),
        ["unplug", d] => {
            let class = device(d)?;
            sim.unplug(class)
                .map_err(SimError::from)
                .map(|()| format!("{class} unplugged"))
        }
        ["replug", d] => {
            let class = device(d)?;
            sim.replug(class)
                .map_err(SimError::from)
                .map(|()| format!("{class} plugged back in"))
        }
        ["receipts"] => {
            let dir = sim
                .receipts_dir()
                .map_or("(not saved)".to_owned(), |d| d.display().to_string());
            let printed = sim.printed()?;
            Ok(format!("{printed} receipts printed; PNG files in {dir}"))
        }
        _ => Err(SimError::Words(line.to_owned())),
    }
}
