//! Printer profiles: everything that varies by model (paper width, native QR, charset, cut,
//! status bits, speed), so the encoder and driver never hard-code one printer's quirks.

use super::error::PrinterError;

/// Which double-byte characters the printer's built-in font has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirmwareCharset {
    /// GB2312 only (most cheap 58 mm boards): about 7 000 common Hanzi.
    Gb2312,
    /// GBK / GB18030 two-byte range (~21 000 Hanzi).
    Gbk,
}

/// The cut command a model understands best.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutStyle {
    /// `GS V 66 n`: feed to the cutter, then partial cut (the kiosk default).
    FeedPartial,
    /// `GS V 65 n`: feed to the cutter, then full cut.
    FeedFull,
    /// `GS V 1`: partial cut at the current position (after an explicit feed).
    Partial,
}

/// Per-model status bit masks (DLE EOT 4 and GS r 1), because kiosk models add sensors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusBits {
    /// DLE EOT 4: paper near end.
    pub eot4_near_end: u8,
    /// DLE EOT 4: paper not present.
    pub eot4_paper_out: u8,
    /// GS r 1: paper near end.
    pub gsr_near_end: u8,
    /// GS r 1: paper end.
    pub gsr_paper_out: u8,
}

impl StatusBits {
    /// The Epson/Bixolon/Citizen meanings from the reference (§1.7).
    pub const STANDARD: StatusBits = StatusBits {
        eot4_near_end: 0x0C,
        eot4_paper_out: 0x60,
        gsr_near_end: 0x03,
        gsr_paper_out: 0x0C,
    };
}

/// What a printer model can do and how it wants to be spoken to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterProfile {
    /// The profile's name as written in `kiosk.toml` (`printer.profile`).
    pub name: &'static str,
    /// Printable width in dots (384 for 58 mm, 576 for 80 mm at 203 dpi, 512 for 180 dpi heads).
    pub width_dots: u16,
    /// Dots per millimetre of paper feed (8 at 203 dpi, ~7 at 180 dpi).
    pub dots_per_mm: u16,
    /// Whether `GS ( k` QR works; if not, the QR is sent as a raster image.
    pub native_qr: bool,
    /// Whether `GS k` function B CODE128 works; if not, the barcode is left out.
    pub native_code128: bool,
    /// Which Hanzi the built-in font has; others are printed as raster lines.
    pub charset: FirmwareCharset,
    /// Whether to send `FS &` (Chinese mode on) after `ESC @`.
    pub chinese_mode: bool,
    /// `ESC t n` code page for single-byte text, if the model needs one selected.
    pub code_page: Option<u8>,
    /// Cut command.
    pub cut: CutStyle,
    /// Lines to feed before a cut style that does not feed by itself.
    pub feed_before_cut: u8,
    /// Status bit masks.
    pub status_bits: StatusBits,
    /// Print speed in mm/s, for write timeouts sized from print time.
    pub speed_mm_s: u16,
    /// Rows per `GS v 0` band; tall images are split so small buffers and USB timeouts cope.
    pub raster_band_rows: u16,
}

impl PrinterProfile {
    /// Generic 80 mm Chinese-firmware printer (576 dots, GB18030 two-byte font, native QR).
    pub const GENERIC_80: PrinterProfile = PrinterProfile {
        name: "generic-80",
        width_dots: 576,
        dots_per_mm: 8,
        native_qr: true,
        native_code128: true,
        charset: FirmwareCharset::Gbk,
        chinese_mode: true,
        code_page: None,
        cut: CutStyle::FeedPartial,
        feed_before_cut: 0,
        status_bits: StatusBits::STANDARD,
        speed_mm_s: 150,
        raster_band_rows: 128,
    };

    /// Generic 58 mm board (384 dots, GB2312 font only, native QR).
    pub const GENERIC_58: PrinterProfile = PrinterProfile {
        name: "generic-58",
        width_dots: 384,
        dots_per_mm: 8,
        native_qr: true,
        native_code128: true,
        charset: FirmwareCharset::Gb2312,
        chinese_mode: true,
        code_page: None,
        cut: CutStyle::FeedPartial,
        feed_before_cut: 0,
        status_bits: StatusBits::STANDARD,
        speed_mm_s: 60,
        raster_band_rows: 128,
    };

    /// Older 58 mm board without native QR: the QR goes out as a raster image.
    pub const BASIC_58: PrinterProfile = PrinterProfile {
        name: "basic-58",
        native_qr: false,
        cut: CutStyle::Partial,
        feed_before_cut: 4,
        ..PrinterProfile::GENERIC_58
    };

    /// Epson TM-T88-era 180 dpi head (512 dots); vendor-class USB (04b8:0202).
    pub const EPSON_512: PrinterProfile = PrinterProfile {
        name: "epson-512",
        width_dots: 512,
        dots_per_mm: 7,
        // Epson: PC437 for the ASCII range; Hanzi go through Chinese mode.
        code_page: Some(0),
        cut: CutStyle::FeedPartial,
        speed_mm_s: 200,
        ..PrinterProfile::GENERIC_80
    };

    /// All built-in profiles.
    pub const ALL: [&'static PrinterProfile; 4] = [
        &PrinterProfile::GENERIC_80,
        &PrinterProfile::GENERIC_58,
        &PrinterProfile::BASIC_58,
        &PrinterProfile::EPSON_512,
    ];

    /// Looks a profile up by its configured name.
    pub fn by_name(name: &str) -> Result<PrinterProfile, PrinterError> {
        PrinterProfile::ALL
            .iter()
            .find(|p| p.name == name)
            .map(|p| (*p).clone())
            .ok_or_else(|| {
                let names: Vec<_> = PrinterProfile::ALL.iter().map(|p| p.name).collect();
                PrinterError::Config(format!(
                    "unknown printer profile {name:?}; known profiles: {}",
                    names.join(", ")
                ))
            })
    }

    /// The default profile for a paper width in millimetres (58 or 80).
    pub fn for_paper_mm(mm: u32) -> Result<PrinterProfile, PrinterError> {
        match mm {
            58 => Ok(PrinterProfile::GENERIC_58),
            80 => Ok(PrinterProfile::GENERIC_80),
            other => Err(PrinterError::Config(format!(
                "paper width {other} mm is not supported; use 58 or 80"
            ))),
        }
    }

    /// Columns of half-width (12-dot) characters per line.
    pub fn columns(&self) -> usize {
        usize::from(self.width_dots) / super::text::HALF_WIDTH_DOTS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_found_by_name_and_unknown_names_list_the_known_ones() {
        assert_eq!(
            PrinterProfile::by_name("generic-58").unwrap().width_dots,
            384
        );
        assert_eq!(PrinterProfile::by_name("epson-512").unwrap().columns(), 42);
        let err = PrinterProfile::by_name("tm-x").unwrap_err().to_string();
        assert!(err.contains("generic-80"), "{err}");
    }

    #[test]
    fn columns_follow_the_paper_width_table() {
        assert_eq!(PrinterProfile::GENERIC_58.columns(), 32);
        assert_eq!(PrinterProfile::GENERIC_80.columns(), 48);
        assert!(PrinterProfile::for_paper_mm(76).is_err());
    }
}

#[cfg(test)]
mod config_agreement {
    use super::PrinterProfile;

    /// The configuration checker knows the same profiles, for the same paper.
    #[test]
    fn the_config_checker_knows_every_profile_and_its_paper() {
        let known = kiosk_config::PRINTER_PROFILES;
        assert_eq!(known.len(), PrinterProfile::ALL.len());
        for profile in PrinterProfile::ALL {
            let printable_mm = profile.width_dots / profile.dots_per_mm;
            let paper_mm = if printable_mm < 60 { 58 } else { 80 };
            assert!(
                known.contains(&(profile.name, paper_mm)),
                "{} ({paper_mm} mm) missing from kiosk_config::PRINTER_PROFILES",
                profile.name
            );
        }
    }
}
