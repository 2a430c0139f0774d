//! Runs the device manager in `sim` mode and walks one citizen's devices through it:
//! place a card, scan a code, print a receipt, paper out; prints each event and the final
//! snapshot. `cargo run -p kiosk --example devices_demo -- OUT_DIR`

use std::time::Duration;

use kiosk::devices::{DeviceManager, ManagerEvent, ManagerOptions};
use kiosk_config::{Config, DeviceSelector};
use kiosk_drivers::printer::sample;
use kiosk_drivers::status::HealthCheckLevel;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out =
        std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "demo-out".into()));
    let mut config = Config::default();
    config.devices.idcard.device = DeviceSelector::Sim;
    config.devices.printer.device = DeviceSelector::Sim;
    config.devices.printer.sim_out_dir = Some(out.join("receipts"));
    config.devices.scanner.device = DeviceSelector::Sim;
    let manager = DeviceManager::start(&config, ManagerOptions::default())?;
    let mut events = manager.subscribe();
    let printer_events = tokio::spawn(async move {
        while let Ok(e) = events.recv().await {
            match e {
                ManagerEvent::Status(s) => {
                    println!("status  {} {} {:?}", s.class, s.state, s.detail)
                }
                other => println!("event   {other:?}"),
            }
        }
    });
    tokio::time::sleep(Duration::from_secs(2)).await;
    let sim = manager.sim();
    sim.place_card()?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    sim.scan("YY-2026-000123")?;
    let printed = manager.printer().print(sample::typical_receipt()).await?;
    println!("printed: {:?}", printed.confirmation);
    for (class, check) in manager.selftest(None, false, Duration::from_secs(5)).await {
        println!(
            "selftest {class} {:?}: {} — {}",
            check.level,
            if check.passed { "PASS" } else { "FAIL" },
            check.text
        );
    }
    sim.printer_fault("paper-out")?;
    let check = manager
        .check_health(
            kiosk_drivers::status::DeviceClass::ReceiptPrinter,
            HealthCheckLevel::External,
            Duration::from_secs(5),
        )
        .await;
    println!(
        "external printer check with paper out: passed={} — {}",
        check.passed, check.text
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    println!("{}", serde_json::to_string_pretty(&manager.snapshot())?);
    drop(manager);
    printer_events.abort();
    Ok(())
}
