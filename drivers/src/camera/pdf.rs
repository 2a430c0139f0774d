//! A material's pages as one PDF: each page an A4 sheet holding its JPEG as is (DCTDecode, no
//! re-encoding), so the PDF is barely larger than its pages.

use lopdf::{dictionary, Document, Object, Stream};

use super::error::PageError;
use super::page::{Page, A4_DPI};

/// A4 in PDF points (1/72 inch).
const A4_POINTS: (f32, f32) = (595.28, 841.89);

/// Writes the pages, in order, as one PDF. Each JPEG must be greyscale or RGB baseline JPEG
/// (what [`super::page::encode_page`] writes).
pub fn material_pdf(pages: &[Page]) -> Result<Vec<u8>, PageError> {
    if pages.is_empty() {
        return Err(PageError::Pdf("a material needs at least one page".into()));
    }
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::with_capacity(pages.len());
    for page in pages {
        let (width, height, colour) = jpeg_geometry(&page.jpeg)?;
        let image = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => i64::from(width),
                "Height" => i64::from(height),
                "ColorSpace" => colour,
                "BitsPerComponent" => 8,
                "Filter" => "DCTDecode",
            },
            page.jpeg.clone(),
        )
        .with_compression(false);
        let image_id = doc.add_object(image);
        let draw = format!("q {} 0 0 {} 0 0 cm /Im0 Do Q", A4_POINTS.0, A4_POINTS.1);
        let content_id = doc.add_object(Stream::new(dictionary! {}, draw.into_bytes()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), A4_POINTS.0.into(), A4_POINTS.1.into()],
            "Contents" => content_id,
            "Resources" => dictionary! {
                "XObject" => dictionary! { "Im0" => image_id },
            },
        });
        kids.push(Object::Reference(page_id));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
        }),
    );
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    doc.trailer.set("Root", catalog_id);
    let info_id = doc.add_object(dictionary! {
        "Producer" => Object::string_literal(format!("kiosk document camera, {A4_DPI} dpi")),
    });
    doc.trailer.set("Info", info_id);
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| PageError::Pdf(e.to_string()))?;
    Ok(out)
}

/// Width, height and PDF colour space of a JPEG, read from its header.
fn jpeg_geometry(jpeg: &[u8]) -> Result<(u32, u32, &'static str), PageError> {
    let decoder = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(jpeg))
        .map_err(|e| PageError::Encode(format!("a page is not a readable JPEG: {e}")))?;
    use image::ImageDecoder;
    let (w, h) = decoder.dimensions();
    let colour = match decoder.color_type() {
        image::ColorType::L8 => "DeviceGray",
        image::ColorType::Rgb8 => "DeviceRGB",
        other => {
            return Err(PageError::Pdf(format!(
                "a page's JPEG is {other:?}; only grey or RGB pages go into a PDF"
            )))
        }
    };
    Ok((w, h, colour))
}
