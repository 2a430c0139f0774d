//! Finding the sheet in a photo of a desk: the page is the largest bright region; its four
//! corners are those of the largest quadrilateral inside the region's convex hull, ordered
//! top-left, top-right, bottom-right, bottom-left with the page's long sides upright.
//!
//! Detection runs on a copy scaled to [`DETECT_LONG_SIDE`] pixels: it is the slow part, and
//! edges found at that scale are within a pixel or two of the full photo's after scaling back.

use image::imageops::{self, FilterType};
use image::GrayImage;
use imageproc::contours::{find_contours, BorderType};
use imageproc::contrast::{otsu_level, threshold, ThresholdType};
use imageproc::distance_transform::Norm;
use imageproc::filter::gaussian_blur_f32;
use imageproc::geometry::{approximate_polygon_dp, contour_area, convex_hull};
use imageproc::morphology::open_mut;
use imageproc::point::Point;

use super::error::{NoSheet, PageError};

/// The long side of the copy the sheet is looked for in.
pub const DETECT_LONG_SIDE: u32 = 800;
/// Smallest brightness gap (0–255) between the sheet and the desk.
const MIN_CONTRAST: f32 = 35.0;
/// Smallest share of the photo the sheet must cover.
const MIN_AREA_SHARE: f64 = 0.08;
/// Largest share: above it the sheet's edges are not in the photo.
const MAX_AREA_SHARE: f64 = 0.97;
/// How much of the region's hull the four corners must enclose.
const MIN_QUAD_SHARE: f64 = 0.92;

/// The sheet's corners in photo pixels: top-left, top-right, bottom-right, bottom-left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Corners(pub [(f32, f32); 4]);

impl Corners {
    /// The largest distance between a corner here and the same corner in `other`.
    pub fn max_distance(&self, other: &Corners) -> f32 {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt())
            .fold(0.0, f32::max)
    }
}

/// Finds the sheet's four corners in a grey photo.
pub fn find_sheet(photo: &GrayImage) -> Result<Corners, PageError> {
    let (w, h) = photo.dimensions();
    let scale = (DETECT_LONG_SIDE as f32 / w.max(h) as f32).min(1.0);
    let (sw, sh) = (
        ((w as f32 * scale).round() as u32).max(1),
        ((h as f32 * scale).round() as u32).max(1),
    );
    let small = imageops::resize(photo, sw, sh, FilterType::Triangle);
    let blurred = gaussian_blur_f32(&small, 2.0);
    let level = otsu_level(&blurred);
    let (dark, bright) = class_means(&blurred, level);
    if bright.0 - dark.0 < MIN_CONTRAST || bright.1 < 0.02 || dark.1 < 0.02 {
        return Err(PageError::NoSheet(NoSheet::NoContrast));
    }
    let mut mask = threshold(&blurred, level, ThresholdType::Binary);
    // Cut thin bridges between the sheet and bright spots on the desk.
    open_mut(&mut mask, Norm::LInf, 3);

    let (border, outer) = find_contours::<i32>(&mask)
        .into_iter()
        .filter(|c| c.border_type == BorderType::Outer && c.points.len() >= 4)
        .map(|c| {
            let hull = convex_hull(c.points.clone());
            (c.points, hull)
        })
        .max_by(|a, b| contour_area(&a.1).total_cmp(&contour_area(&b.1)))
        .ok_or(PageError::NoSheet(NoSheet::TooSmall))?;
    let hull_area = contour_area(&outer);
    let photo_area = f64::from(sw) * f64::from(sh);
    if hull_area < MIN_AREA_SHARE * photo_area {
        return Err(PageError::NoSheet(NoSheet::TooSmall));
    }
    if hull_area > MAX_AREA_SHARE * photo_area {
        return Err(PageError::NoSheet(NoSheet::FillsPhoto));
    }
    let quad = largest_quad(&outer).ok_or(PageError::NoSheet(NoSheet::NotQuadrilateral))?;
    if polygon_area(&quad) < MIN_QUAD_SHARE * hull_area {
        return Err(PageError::NoSheet(NoSheet::NotQuadrilateral));
    }
    let margin = 2.0;
    if quad.iter().any(|p| {
        p.0 < margin
            || p.1 < margin
            || p.0 > sw as f32 - 1.0 - margin
            || p.1 > sh as f32 - 1.0 - margin
    }) {
        return Err(PageError::NoSheet(NoSheet::CutOff));
    }
    let ordered = order_upright(refine(quad, &border));
    // Back to the photo's pixel grid (pixel centres at integers in both).
    let back = |p: (f32, f32)| ((p.0 + 0.5) / scale - 0.5, (p.1 + 0.5) / scale - 0.5);
    Ok(Corners(ordered.map(back)))
}

/// Mean brightness and share of pixels at or below `level`, and above it.
fn class_means(img: &GrayImage, level: u8) -> ((f32, f32), (f32, f32)) {
    let mut hist = [0u64; 256];
    for p in img.pixels() {
        hist[usize::from(p.0[0])] += 1;
    }
    let mean = |range: std::ops::RangeInclusive<usize>| {
        let (mut n, mut sum) = (0u64, 0u64);
        for v in range {
            n += hist[v];
            sum += hist[v] * v as u64;
        }
        let total = img.width() as f32 * img.height() as f32;
        if n == 0 {
            (0.0, 0.0)
        } else {
            (sum as f32 / n as f32, n as f32 / total.max(1.0))
        }
    };
    (
        mean(0..=usize::from(level)),
        mean(usize::from(level) + 1..=255),
    )
}

fn polygon_area(p: &[(f32, f32)]) -> f64 {
    let n = p.len();
    let twice: f64 = (0..n)
        .map(|i| {
            let (a, b) = (p[i], p[(i + 1) % n]);
            f64::from(a.0) * f64::from(b.1) - f64::from(b.0) * f64::from(a.1)
        })
        .sum();
    twice.abs() / 2.0
}

fn triangle(a: (f32, f32), b: (f32, f32), c: (f32, f32)) -> f32 {
    ((b.0 - a.0) * (c.1 - a.1) - (c.0 - a.0) * (b.1 - a.1)).abs() / 2.0
}

/// The largest-area quadrilateral with its corners on the hull's vertices.
fn largest_quad(hull: &[Point<i32>]) -> Option<[(f32, f32); 4]> {
    // A pixel hull has many nearly collinear vertices; simplify it to keep the search small.
    let mut pts = hull.to_vec();
    let mut eps = 0.5;
    while pts.len() > 60 && eps < 16.0 {
        pts = approximate_polygon_dp(hull, eps, true);
        eps *= 2.0;
    }
    let p: Vec<(f32, f32)> = pts.iter().map(|q| (q.x as f32, q.y as f32)).collect();
    let n = p.len();
    if n < 4 {
        return None;
    }
    let mut best: Option<(f32, [usize; 4])> = None;
    for i in 0..n {
        for k in i + 2..n {
            // Best third corner on each side of the diagonal i–k, chosen independently.
            let j = (i + 1..k).max_by(|&a, &b| {
                triangle(p[i], p[a], p[k]).total_cmp(&triangle(p[i], p[b], p[k]))
            })?;
            let l = (k + 1..n + i)
                .map(|l| l % n)
                .filter(|&l| l != i)
                .max_by(|&a, &b| triangle(p[i], p[k], p[a]).total_cmp(&triangle(p[i], p[k], p[b])));
            let Some(l) = l else { continue };
            let area = triangle(p[i], p[j], p[k]) + triangle(p[i], p[k], p[l]);
            if best.is_none_or(|(a, _)| area > a) {
                best = Some((area, [i, j, k, l]));
            }
        }
    }
    best.map(|(_, idx)| idx.map(|i| p[i]))
}

/// Sharpens the corners: a line is fitted (least squares, both axes) to the border points
/// along the middle of each edge, moved half a pixel out (border points are the centres of
/// the sheet's outermost pixels), and neighbouring lines are intersected. Corners rounded by
/// the blur and the opening no longer pull them in.
fn refine(quad: [(f32, f32); 4], border: &[Point<i32>]) -> [(f32, f32); 4] {
    let cx = quad.iter().map(|p| p.0).sum::<f32>() / 4.0;
    let cy = quad.iter().map(|p| p.1).sum::<f32>() / 4.0;
    // Each edge as a point on it and its unit direction.
    let mut lines = [((0.0f32, 0.0f32), (0.0f32, 0.0f32)); 4];
    for (i, line) in lines.iter_mut().enumerate() {
        let (a, b) = (quad[i], quad[(i + 1) % 4]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = dx * dx + dy * dy;
        let len = len2.sqrt().max(1e-3);
        let near: Vec<(f32, f32)> = border
            .iter()
            .map(|p| (p.x as f32, p.y as f32))
            .filter(|p| {
                let t = ((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2.max(1e-3);
                let dist = ((p.0 - a.0) * dy - (p.1 - a.1) * dx).abs() / len;
                (0.15..=0.85).contains(&t) && dist <= 4.0
            })
            .collect();
        *line = if near.len() < 10 {
            (a, (dx / len, dy / len))
        } else {
            fit_line(&near)
        };
        // Half a pixel outwards, away from the sheet's centre.
        let (p, d) = *line;
        let mut n = (-d.1, d.0);
        if (p.0 - cx) * n.0 + (p.1 - cy) * n.1 < 0.0 {
            n = (-n.0, -n.1);
        }
        line.0 = (p.0 + 0.5 * n.0, p.1 + 0.5 * n.1);
    }
    let mut out = quad;
    for i in 0..4 {
        // Corner i+1 is where edge i meets edge i+1.
        if let Some(c) = intersect(lines[i], lines[(i + 1) % 4]) {
            out[(i + 1) % 4] = c;
        }
    }
    out
}

/// The total-least-squares line through points: centroid and principal direction.
fn fit_line(points: &[(f32, f32)]) -> ((f32, f32), (f32, f32)) {
    let n = points.len() as f32;
    let mx = points.iter().map(|p| p.0).sum::<f32>() / n;
    let my = points.iter().map(|p| p.1).sum::<f32>() / n;
    let (mut sxx, mut syy, mut sxy) = (0.0f32, 0.0f32, 0.0f32);
    for p in points {
        let (x, y) = (p.0 - mx, p.1 - my);
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
    }
    let angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    ((mx, my), (angle.cos(), angle.sin()))
}

fn intersect(a: ((f32, f32), (f32, f32)), b: ((f32, f32), (f32, f32))) -> Option<(f32, f32)> {
    let ((p, d), (q, e)) = (a, b);
    let det = d.0 * e.1 - d.1 * e.0;
    if det.abs() < 1e-3 {
        return None;
    }
    let t = ((q.0 - p.0) * e.1 - (q.1 - p.1) * e.0) / det;
    Some((p.0 + t * d.0, p.1 + t * d.1))
}

/// Orders four corners clockwise from the page's top-left, taking the longer pair of opposite
/// edges as the page's sides (A4 is portrait) and the higher short edge as its top.
pub fn order_upright(quad: [(f32, f32); 4]) -> [(f32, f32); 4] {
    let cx = quad.iter().map(|p| p.0).sum::<f32>() / 4.0;
    let cy = quad.iter().map(|p| p.1).sum::<f32>() / 4.0;
    let mut q = quad;
    // With y pointing down, increasing angle runs clockwise on screen.
    q.sort_by(|a, b| {
        (a.1 - cy)
            .atan2(a.0 - cx)
            .total_cmp(&(b.1 - cy).atan2(b.0 - cx))
    });
    let len = |i: usize| {
        let (a, b) = (q[i % 4], q[(i + 1) % 4]);
        ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
    };
    let mid_y = |i: usize| (q[i % 4].1 + q[(i + 1) % 4].1) / 2.0;
    // Short edges: 0 and 2, or 1 and 3.
    let short = if len(0) + len(2) < len(1) + len(3) {
        0
    } else {
        1
    };
    let top = if mid_y(short) <= mid_y(short + 2) {
        short
    } else {
        short + 2
    };
    // Clockwise, the top edge runs left to right: its first end is the top-left corner.
    [
        q[top % 4],
        q[(top + 1) % 4],
        q[(top + 2) % 4],
        q[(top + 3) % 4],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_puts_the_long_sides_upright() {
        // A portrait page turned 10° clockwise, corners given in a scrambled order.
        let tl = (100.0, 50.0);
        let tr = (300.0, 85.0);
        let br = (250.0, 370.0);
        let bl = (50.0, 335.0);
        assert_eq!(order_upright([br, tl, bl, tr]), [tl, tr, br, bl]);
        // Lying on its side (landscape in the photo): the long sides become the page's sides.
        let (a, b, c, d) = ((50.0, 100.0), (400.0, 100.0), (400.0, 350.0), (50.0, 350.0));
        let o = order_upright([a, b, c, d]);
        let side = ((o[0].0 - o[3].0).powi(2) + (o[0].1 - o[3].1).powi(2)).sqrt();
        assert!((side - 350.0).abs() < 1e-3, "{o:?}");
    }

    #[test]
    fn largest_quad_of_an_octagon_like_hull_is_the_square() {
        let pts: Vec<Point<i32>> = [
            (0, 0),
            (50, -1),
            (100, 0),
            (101, 50),
            (100, 100),
            (50, 101),
            (0, 100),
            (-1, 50),
        ]
        .iter()
        .map(|&(x, y)| Point::new(x, y))
        .collect();
        let q = largest_quad(&pts).expect("a quad");
        assert!(polygon_area(&q) >= 10_000.0, "{q:?}");
    }
}
