//! Receipts as the citizen holds them: the simulated printer's `receipt-NNNN.png` files, and
//! the QR codes read back from their pixels with a pure-Rust decoder (`rqrr`).

use std::path::{Path, PathBuf};

/// The receipt PNGs in `dir`, in print order (none when the folder is missing).
pub fn receipt_pngs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("receipt-") && n.ends_with(".png"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Every QR code's text in a PNG (greyscale or colour, 8 or 16 bit).
pub fn decode_qr(png_path: &Path) -> Vec<String> {
    let file = std::fs::File::open(png_path).expect("open the receipt PNG");
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    let channels = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    let stride = info.line_size;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let at = y * stride + x * channels;
        match channels {
            1 | 2 => buf[at],
            _ => {
                let sum = u16::from(buf[at]) + u16::from(buf[at + 1]) + u16::from(buf[at + 2]);
                u8::try_from(sum / 3).unwrap_or(u8::MAX)
            }
        }
    });
    img.detect_grids()
        .iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

/// A query parameter's value in a URL (`c` of `…/progress?c=CODE&v=VERIFIER`).
pub fn query_param(url: &str, name: &str) -> Option<String> {
    url.split_once('?')?.1.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

/// The text of each receipt the simulated printer cut, in order, from the emulator's
/// `log.jsonl` in `dir` (text commands as the printer decoded them, GB 18030).
pub fn printed_texts(dir: &Path) -> Vec<String> {
    let Ok(log) = std::fs::read_to_string(dir.join("log.jsonl")) else {
        return Vec::new();
    };
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    lines
        .iter()
        .filter(|v| v["event"] == "receipt")
        .map(|receipt| {
            lines
                .iter()
                .filter(|v| v["cmd"] == "text" && v["receipt"] == receipt["receipt"])
                .filter_map(|v| v["text"].as_str())
                .collect()
        })
        .collect()
}
