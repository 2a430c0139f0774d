//! Small hand-written SVG charts for the report, drawn on the server: no scripts, no style
//! attributes (presentation attributes only, so a strict Content-Security-Policy allows
//! them), every chart with a `<title>` and `<desc>` named by `aria-labelledby`. The same
//! figures are always in a table beside the chart.

use maud::{html, Markup};

const INK: &str = "#1f2a2e";
const BAR: &str = "#2f6b7a";
const GRID: &str = "#d5dcd8";

/// A ceiling for the axis: 1, 2 or 5 times a power of ten, at least `max` (and at least 1).
pub fn nice_ceiling(max: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            let v = step.saturating_mul(m);
            if v >= max {
                return v;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// A label cut to fit the bar chart's left column (the full one is in the bar's `<title>`).
fn short(label: &str) -> String {
    const MAX: usize = 16;
    if label.chars().count() <= MAX {
        label.to_owned()
    } else {
        label.chars().take(MAX - 1).chain(['…']).collect()
    }
}

/// Horizontal bars, one per label (department names are long, so they sit on the left).
pub fn bars(id: &str, title: &str, desc: &str, data: &[(String, u64)]) -> Markup {
    let (width, label_w, row_h, top) = (640u64, 250u64, 28u64, 8u64);
    let height = top * 2 + row_h * data.len().max(1) as u64;
    let ceiling = nice_ceiling(data.iter().map(|(_, v)| *v).max().unwrap_or(0));
    let room = width - label_w - 60;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%"
            viewBox={ "0 0 " (width) " " (height) }
            aria-labelledby={ (id) "-title " (id) "-desc" } id=(id) {
            title id={ (id) "-title" } { (title) }
            desc id={ (id) "-desc" } { (desc) }
            @if data.is_empty() {
                text x="10" y="28" fill=(INK) font-size="14" { "本期无数据" }
            }
            @for (i, (label, value)) in data.iter().enumerate() {
                @let y = top + row_h * i as u64;
                @let w = room * value / ceiling;
                g {
                    title { (label) "：" (value) }
                    text x={ (label_w - 8) } y={ (y + 19) } text-anchor="end" fill=(INK) font-size="13" { (short(label)) }
                    rect x=(label_w) y={ (y + 5) } width=(w) height="18" rx="3" fill=(BAR) {}
                    text x={ (label_w + w + 6) } y={ (y + 19) } fill=(INK) font-size="13" { (value) }
                }
            }
        }
    }
}

/// A line of daily values (`labels` under the axis, thinned to fit).
pub fn line(id: &str, title: &str, desc: &str, data: &[(String, u64)]) -> Markup {
    let (width, height) = (640u64, 220u64);
    let (left, right, top, bottom) = (44u64, 16u64, 14u64, 30u64);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let ceiling = nice_ceiling(data.iter().map(|(_, v)| *v).max().unwrap_or(0));
    let n = data.len() as u64;
    let x = |i: u64| {
        if n <= 1 {
            left + plot_w / 2
        } else {
            left + plot_w * i / (n - 1)
        }
    };
    let y = |v: u64| top + plot_h - plot_h * v / ceiling;
    let points: Vec<String> = data
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{},{}", x(i as u64), y(*v)))
        .collect();
    let every = (n / 8).max(1);
    html! {
        svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%"
            viewBox={ "0 0 " (width) " " (height) }
            aria-labelledby={ (id) "-title " (id) "-desc" } id=(id) {
            title id={ (id) "-title" } { (title) }
            desc id={ (id) "-desc" } { (desc) }
            @for v in [0, ceiling / 2, ceiling] {
                line x1=(left) x2={ (width - right) } y1=(y(v)) y2=(y(v)) stroke=(GRID) stroke-width="1" {}
                text x={ (left - 6) } y={ (y(v) + 4) } text-anchor="end" fill=(INK) font-size="12" { (v) }
            }
            @if points.len() > 1 {
                polyline points=(points.join(" ")) fill="none" stroke=(BAR) stroke-width="2" {}
            }
            @for (i, (label, value)) in data.iter().enumerate() {
                @let i = i as u64;
                circle cx=(x(i)) cy=(y(*value)) r="3" fill=(BAR) { title { (label) "：" (value) } }
                @if i % every == 0 || i + 1 == n {
                    text x=(x(i)) y={ (height - 10) } text-anchor="middle" fill=(INK) font-size="12" { (label) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_ceilings_are_round() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(1), 1);
        assert_eq!(nice_ceiling(3), 5);
        assert_eq!(nice_ceiling(17), 20);
        assert_eq!(nice_ceiling(501), 1000);
    }

    #[test]
    fn charts_have_text_alternatives_scale_to_the_data_and_escape_labels() {
        let data = vec![("县公安局".to_owned(), 40), ("<人社局>".to_owned(), 10)];
        let svg = bars("b", "各部门受理量", "两个部门", &data).into_string();
        assert!(svg.contains(r#"aria-labelledby="b-title b-desc""#), "{svg}");
        assert!(svg.contains(r#"<title id="b-title">各部门受理量</title>"#));
        assert!(svg.contains(r#"<desc id="b-desc">两个部门</desc>"#));
        assert!(svg.contains("&lt;人社局&gt;") && !svg.contains("<人社局>"));
        // 40 of a ceiling of 50 over 330 units of room; 10 gives a quarter of that.
        assert!(
            svg.contains(r#"width="264""#) && svg.contains(r#"width="66""#),
            "{svg}"
        );
        let long = bars(
            "x",
            "t",
            "d",
            &[("县民政局（婚姻登记、社会救助）很长的名字".into(), 1)],
        );
        let long = long.into_string();
        assert!(
            long.contains(">县民政局（婚姻登记、社会救助）…</text>"),
            "{long}"
        );
        assert!(long.contains("<title>县民政局（婚姻登记、社会救助）很长的名字：1</title>"));
        for bad in ["<script", "style=", "href", "javascript:"] {
            assert!(!svg.contains(bad), "{bad} in {svg}");
        }
        let days: Vec<(String, u64)> = (1..=31).map(|d| (format!("12-{d:02}"), d)).collect();
        let svg = line("l", "每日受理量", "31天", &days).into_string();
        assert!(svg.contains("<polyline"));
        assert_eq!(svg.matches("<circle").count(), 31);
        assert!(svg.contains(">12-31</text>"), "the last day is labelled");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        let empty = bars("e", "t", "d", &[]).into_string();
        assert!(empty.contains("本期无数据"));
        let one = line("o", "t", "d", &[("12-04".into(), 0)]).into_string();
        assert!(one.contains("<circle") && !one.contains("<polyline"));
    }
}
