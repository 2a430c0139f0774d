//! How long the device manager takes from a simulated action to the service's event, over
//! ptys with the real drivers: a scan to `CodeScanned`, a placed card to `CardRead`, and a
//! print to its confirmation. Prints the figures; `cargo bench -p kiosk --bench devices_latency`.

use std::time::{Duration, Instant};

use kiosk::devices::{DeviceManager, ManagerEvent, ManagerOptions};
use kiosk_config::{Config, DeviceSelector};
use kiosk_drivers::printer::sample;
use kiosk_drivers::status::{DeviceClass, DeviceState};
use tokio::sync::broadcast::Receiver;

/// Waits for the event; returns the time since `start` (taken before the action).
async fn wait(
    events: &mut Receiver<ManagerEvent>,
    start: Instant,
    want: fn(&ManagerEvent) -> bool,
) -> Duration {
    loop {
        match tokio::time::timeout(Duration::from_secs(30), events.recv()).await {
            Ok(Ok(e)) if want(&e) => return start.elapsed(),
            Ok(Ok(_)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
            _ => panic!("no event within 30 s"),
        }
    }
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{what:<28} n={:<3} median {:>7.2} ms  p90 {:>7.2} ms  max {:>7.2} ms",
        samples.len(),
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 9 / 10]),
        ms(samples[samples.len() - 1]),
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::default();
    config.devices.idcard.device = DeviceSelector::Sim;
    config.devices.printer.device = DeviceSelector::Sim;
    config.devices.printer.sim_out_dir = Some(dir.path().join("receipts"));
    config.devices.scanner.device = DeviceSelector::Sim;
    let options = ManagerOptions {
        sim_dir: Some(dir.path().join("links")),
        ..ManagerOptions::default()
    };
    let manager = DeviceManager::start(&config, options).expect("manager starts");
    let mut watch = manager.watch();
    while !watch
        .borrow_and_update()
        .iter()
        .all(|s| s.state == DeviceState::Online)
    {
        watch.changed().await.expect("snapshot");
    }
    let sim = manager.sim();
    let mut events = manager.subscribe();

    let mut scans = Vec::new();
    for i in 0..15 {
        // The scanner's flood guard allows about 3 codes a second: stay under it.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let start = Instant::now();
        sim.scan(&format!("BENCH-{i}")).expect("scan");
        scans.push(
            wait(&mut events, start, |e| {
                matches!(e, ManagerEvent::CodeScanned(_))
            })
            .await,
        );
    }
    report("scan -> CodeScanned", scans);

    let mut cards = Vec::new();
    for _ in 0..10 {
        let start = Instant::now();
        sim.place_card().expect("place");
        cards.push(
            wait(&mut events, start, |e| {
                matches!(e, ManagerEvent::CardRead(_))
            })
            .await,
        );
        sim.remove_card().expect("remove");
        wait(&mut events, Instant::now(), |e| {
            matches!(e, ManagerEvent::CardRemoved)
        })
        .await;
    }
    report("card placed -> CardRead", cards);

    let mut prints = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        manager
            .printer()
            .print(sample::typical_receipt())
            .await
            .expect("printed");
        prints.push(start.elapsed());
    }
    report("print -> confirmed", prints);
    println!(
        "dropped events: reader {}, printer {}, scanner {}",
        manager.dropped_events(DeviceClass::IdCardReader),
        manager.dropped_events(DeviceClass::ReceiptPrinter),
        manager.dropped_events(DeviceClass::Scanner)
    );
}
