//! `kioskctl a4 status|print FILE|test-page`: bench work on the A4 printer over IPP — its
//! state in words, a PDF printed and followed to the end, an A4 test page. The printer is
//! `--uri`, or `[devices.a4printer] uri` from the configuration.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use kiosk_config::schema::Config;
use kiosk_config::LoadOptions;
use kiosk_drivers::a4printer::{pdf, A4Printer, JobWait};
use kiosk_drivers::printer::sample;

use super::{exit, CliError};

/// A4 printer commands.
#[derive(Debug, Subcommand)]
pub enum A4Command {
    /// Ask the printer for its state (IPP Get-Printer-Attributes) and say what is wrong.
    Status(UriArgs),
    /// Print a PDF file and wait until the printer says it is printed.
    Print(PrintArgs),
    /// Print an A4 test page (Chinese and English text, a QR code, the kiosk's id).
    TestPage(TestPageArgs),
}

/// Which printer.
#[derive(Debug, Args)]
pub struct UriArgs {
    /// The printer's IPP URI [default: devices.a4printer.uri from --config].
    #[arg(long)]
    pub uri: Option<String>,
}

/// Options of `a4 print`.
#[derive(Debug, Args)]
pub struct PrintArgs {
    /// The printer.
    #[command(flatten)]
    pub printer: UriArgs,
    /// The PDF file.
    pub file: PathBuf,
    /// Seconds to wait for the job before calling it stalled (it stays on the printer).
    #[arg(long, default_value_t = 120)]
    pub wait: u64,
}

/// Options of `a4 test-page`.
#[derive(Debug, Args)]
pub struct TestPageArgs {
    /// The printer.
    #[command(flatten)]
    pub printer: UriArgs,
    /// Also write the page's PDF here, to look at.
    #[arg(long)]
    pub save: Option<PathBuf>,
}

fn load(config: &Path) -> Option<Config> {
    kiosk_config::load(&LoadOptions::from_process(config))
        .ok()
        .map(|l| l.config)
}

fn open(args: &UriArgs, config: Option<&Config>) -> Result<A4Printer, CliError> {
    let uri = match (&args.uri, config) {
        (Some(uri), _) => uri.clone(),
        (None, Some(c)) if !c.devices.a4printer.uri.trim().is_empty() => {
            c.devices.a4printer.uri.clone()
        }
        _ => {
            return Err(CliError::Usage(
                "no A4 printer: give --uri ipp://HOST/ipp/print or set [devices.a4printer] uri in the configuration".into(),
            ))
        }
    };
    A4Printer::new(&uri).map_err(|e| CliError::Usage(e.to_string()))
}

/// Runs an A4 command; returns the exit code.
pub fn run(cmd: A4Command, config: &Path) -> Result<i32, CliError> {
    let cfg = load(config);
    match cmd {
        A4Command::Status(a) => status(&open(&a, cfg.as_ref())?),
        A4Command::Print(a) => {
            let printer = open(&a.printer, cfg.as_ref())?;
            let pdf = std::fs::read(&a.file)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", a.file.display())))?;
            if !pdf.starts_with(b"%PDF-") {
                return Err(CliError::Usage(format!(
                    "{} is not a PDF file (it does not start with %PDF-)",
                    a.file.display()
                )));
            }
            let title = a
                .file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "document.pdf".into());
            let wait = JobWait {
                give_up_after: std::time::Duration::from_secs(a.wait),
                ..JobWait::default()
            };
            print(&printer, pdf, &title, wait)
        }
        A4Command::TestPage(a) => {
            let printer = open(&a.printer, cfg.as_ref())?;
            let identity = cfg.map(|c| c.identity).unwrap_or_default();
            let page = sample::test_receipt_at(
                &identity.kiosk_id,
                &identity.hall_name,
                &identity.location,
                printer.uri(),
            );
            let pdf =
                pdf::render(&page, "A4 test page").map_err(|e| CliError::Failed(e.to_string()))?;
            if let Some(path) = &a.save {
                std::fs::write(path, &pdf).map_err(|e| {
                    CliError::Failed(format!("cannot write {}: {e}", path.display()))
                })?;
                outln!("saved the test page as {}", path.display());
            }
            print(&printer, pdf, "A4 test page", JobWait::default())
        }
    }
}

fn status(printer: &A4Printer) -> Result<i32, CliError> {
    let (cond, report) = printer
        .condition()
        .map_err(|e| CliError::Failed(e.to_string()))?;
    outln!("printer:  {}", printer.uri());
    if let Some(model) = &report.model {
        outln!("model:    {model}");
    }
    outln!("state:    {}", cond.state);
    outln!("paper:    {}", cond.paper.as_str());
    outln!(
        "cover:    {}",
        if cond.cover_open { "open" } else { "closed" }
    );
    outln!("toner:    {}", if cond.toner_low { "low" } else { "ok" });
    outln!(
        "reasons:  {}",
        if cond.reasons.is_empty() {
            "none".to_owned()
        } else {
            cond.reasons.join(", ")
        }
    );
    if let Some(message) = report.message.as_deref().filter(|m| !m.is_empty()) {
        outln!("message:  {message}");
    }
    if !report.formats.iter().any(|f| f == "application/pdf") {
        outln!(
            "warning:  the printer does not list application/pdf; the kiosk's documents are PDF"
        );
    }
    Ok(if cond.state.is_usable() {
        exit::OK
    } else {
        exit::FAILURE
    })
}

fn print(printer: &A4Printer, pdf: Vec<u8>, title: &str, wait: JobWait) -> Result<i32, CliError> {
    let bytes = pdf.len();
    let job = printer
        .print_pdf(pdf, title, wait)
        .map_err(|e| CliError::Failed(e.to_string()))?;
    outln!(
        "printed: job {} completed ({bytes} bytes{})",
        job.job_id,
        job.impressions
            .filter(|n| *n > 0)
            .map(|n| format!(", {n} impressions"))
            .unwrap_or_default()
    );
    Ok(exit::OK)
}
