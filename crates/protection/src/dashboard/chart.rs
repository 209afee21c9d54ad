//! The dashboards' charts as server-rendered SVG (pure): a stacked epidemic curve by week and a
//! tile map of Hong Kong's 18 districts coloured by rate per 100,000, with class breaks, colours
//! whose text meets WCAG AA contrast, and texts given in the page's language. Each SVG has
//! `role="img"` with a title and a description; pages show the same figures as tables too.

use kernel::web::html::escape as esc;

/// Round tick values from 0 to at least `max`: steps of 1, 2 or 5 × 10^k, about five of them.
pub fn ticks(max: i64) -> Vec<i64> {
    if max <= 0 {
        return vec![0, 1];
    }
    let raw = max as f64 / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let step = (step.round() as i64).max(1);
    let top = ((max + step - 1) / step) * step;
    (0..=top / step).map(|i| i * step).collect()
}

/// WCAG 2.x relative luminance of `#rrggbb`.
pub fn luminance(hex: &str) -> f64 {
    let h = hex.trim_start_matches('#');
    let c = |i: usize| {
        let v = u8::from_str_radix(&h[i..i + 2], 16).unwrap_or(0) as f64 / 255.0;
        if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * c(0) + 0.7152 * c(2) + 0.0722 * c(4)
}

/// WCAG contrast ratio between two colours.
pub fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// Black or white, whichever reads better on `fill` (always at least 4.5:1).
pub fn text_on(fill: &str) -> &'static str {
    if contrast(fill, "#000000") >= contrast(fill, "#ffffff") { "#000000" } else { "#ffffff" }
}

/// Colours of stacked series, each at least 3:1 against the white background (WCAG 1.4.11).
pub const SERIES_COLOURS: [&str; 5] = ["#08519c", "#d94801", "#238b45", "#6a51a3", "#525252"];

/// One stacked series: its label and one value per week.
pub struct Series {
    pub label: String,
    pub values: Vec<i64>,
}

/// Texts of a chart, in the page's language.
pub struct ChartText<'a> {
    pub title: &'a str,
    pub desc: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
}

const CW: f64 = 760.0;
const CH: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 64.0;

/// A stacked bar chart of weekly counts: one bar per week (labels under every k-th bar), the
/// series stacked in order, y-axis ticks, axis titles and a legend.
pub fn epi_curve(weeks: &[String], series: &[Series], text: &ChartText) -> String {
    let n = weeks.len().max(1);
    let totals: Vec<i64> =
        (0..weeks.len()).map(|i| series.iter().map(|s| s.values.get(i).copied().unwrap_or(0).max(0)).sum()).collect();
    let max = totals.iter().copied().max().unwrap_or(0);
    let ticks = ticks(max);
    let top = *ticks.last().unwrap_or(&1) as f64;
    let legend_h = 20.0 * series.len().div_ceil(4) as f64;
    let h = CH + legend_h;
    let plot_w = CW - LEFT - RIGHT;
    let plot_h = CH - TOP - BOTTOM;
    let slot = plot_w / n as f64;
    let bar = (slot * 0.8).max(1.0);
    let y = |v: f64| TOP + plot_h - v / top * plot_h;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {CW} {h}\" width=\"100%\" role=\"img\" \
         aria-labelledby=\"curve-title curve-desc\" class=\"chart\"><title id=\"curve-title\">{}</title>\
         <desc id=\"curve-desc\">{}</desc>",
        esc(text.title),
        esc(text.desc)
    );
    // Grid and y ticks.
    for t in &ticks {
        let yy = y(*t as f64);
        s.push_str(&format!(
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#d0d0d0\" stroke-width=\"1\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1a1a1a\">{t}</text>",
            CW - RIGHT,
            LEFT - 6.0,
            yy + 4.0
        ));
    }
    // Bars.
    for (i, week) in weeks.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let mut base = 0.0;
        for (k, ser) in series.iter().enumerate() {
            let v = ser.values.get(i).copied().unwrap_or(0).max(0) as f64;
            if v > 0.0 {
                let (y0, y1) = (y(base), y(base + v));
                s.push_str(&format!(
                    "<rect x=\"{x:.1}\" y=\"{y1:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{} {}: {}</title></rect>",
                    y0 - y1,
                    SERIES_COLOURS[k % SERIES_COLOURS.len()],
                    esc(week),
                    esc(&ser.label),
                    v
                ));
            }
            base += v;
        }
    }
    // Axes.
    let x_axis_y = TOP + plot_h;
    s.push_str(&format!(
        "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{x_axis_y:.1}\" y2=\"{x_axis_y:.1}\" stroke=\"#1a1a1a\"/>\
         <line x1=\"{LEFT}\" x2=\"{LEFT}\" y1=\"{TOP}\" y2=\"{x_axis_y:.1}\" stroke=\"#1a1a1a\"/>",
        CW - RIGHT
    ));
    let every = (n as f64 / 12.0).ceil().max(1.0) as usize;
    for (i, w) in weeks.iter().enumerate() {
        if i % every == 0 {
            let x = LEFT + slot * (i as f64 + 0.5);
            s.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1a1a1a\">{}</text>",
                x_axis_y + 16.0,
                esc(w)
            ));
        }
    }
    s.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1a1a1a\">{}</text>\
         <text transform=\"translate(14 {:.1}) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1a1a1a\">{}</text>",
        LEFT + plot_w / 2.0,
        x_axis_y + 38.0,
        esc(text.x_label),
        TOP + plot_h / 2.0,
        esc(text.y_label)
    ));
    // Legend.
    for (k, ser) in series.iter().enumerate() {
        let lx = LEFT + (k % 4) as f64 * 170.0;
        let ly = CH + 20.0 * (k / 4) as f64 - 8.0;
        s.push_str(&format!(
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{ly:.1}\" font-size=\"12\" fill=\"#1a1a1a\">{}</text>",
            ly - 10.0,
            SERIES_COLOURS[k % SERIES_COLOURS.len()],
            lx + 16.0,
            esc(&ser.label)
        ));
    }
    s.push_str("</svg>");
    s
}

/// Where each district sits on the tile grid (column, row): roughly as on the map — the New
/// Territories on top, Kowloon in the middle, Hong Kong Island below, Islands bottom left.
pub const TILES: [(&str, u32, u32); 18] = [
    ("YL", 1, 0),
    ("N", 2, 0),
    ("TP", 3, 0),
    ("TM", 0, 1),
    ("TW", 1, 1),
    ("ST", 2, 1),
    ("SK", 3, 1),
    ("KWT", 1, 2),
    ("SSP", 2, 2),
    ("WTS", 3, 2),
    ("KT", 4, 2),
    ("YTM", 2, 3),
    ("KC", 3, 3),
    ("IS", 0, 4),
    ("CW", 1, 4),
    ("WC", 2, 4),
    ("E", 3, 4),
    ("S", 2, 5),
];

/// Fill colours of the rate classes, light to dark (sequential blues); "no cases" is the first.
pub const CLASS_COLOURS: [&str; 6] = ["#f7f7f7", "#deebf7", "#9ecae1", "#4292c6", "#2171b5", "#08306b"];

/// Upper bounds of the four non-zero classes below the top one: equal steps of a round number
/// so that the top class starts at or below `max` (an empty map gets steps of 1).
pub fn class_breaks(max: f64) -> Vec<f64> {
    if max.is_nan() || max <= 0.0 {
        return vec![1.0, 2.0, 3.0, 4.0];
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).filter(|s| *s <= raw).fold(mag, f64::max);
    (1..=4).map(|i| step * i as f64).collect()
}

/// The class of a rate: 0 for no cases, 1..=5 by the breaks.
pub fn class_of(rate: f64, count: i64, breaks: &[f64]) -> usize {
    if count <= 0 {
        return 0;
    }
    1 + breaks.iter().filter(|b| rate >= **b).count()
}

/// Rate per 100,000.
pub fn rate(count: i64, population: u64) -> f64 {
    if population == 0 { 0.0 } else { count as f64 / population as f64 * 100_000.0 }
}

/// One district's tile.
pub struct Tile {
    pub code: String,
    pub name: String,
    /// What the tile shows in large type: the district's code in English (its name is too long
    /// for a tile), its name in Chinese (two or three characters, and a Chinese page shows no
    /// English codes).
    pub label: String,
    pub count: i64,
    pub rate: f64,
}

/// Formats a rate with one decimal.
pub fn fmt_rate(r: f64) -> String {
    format!("{r:.1}")
}

/// The legend's class labels, e.g. `0`, `> 0 – < 2.0`, …, `≥ 8.0`.
pub fn legend_labels(breaks: &[f64], none: &str) -> Vec<String> {
    let mut out = vec![none.to_string()];
    let mut lo = 0.0;
    for b in breaks {
        out.push(if lo == 0.0 {
            format!("> 0 – < {}", fmt_rate(*b))
        } else {
            format!("{} – < {}", fmt_rate(lo), fmt_rate(*b))
        });
        lo = *b;
    }
    out.push(format!("≥ {}", fmt_rate(lo)));
    out
}

const TS: f64 = 96.0;
const GAP: f64 = 6.0;

/// The tile map: each district a square at its grid place, filled by rate class, with its label
/// (code or Chinese name) and rate as text in black or white (whichever contrasts more), and a
/// legend of classes.
pub fn tile_map(tiles: &[Tile], breaks: &[f64], legend: &[String], legend_title: &str, text: &ChartText) -> String {
    let cols = 5.0;
    let rows = 6.0;
    let map_w = cols * (TS + GAP);
    let w = map_w + 220.0;
    let h = rows * (TS + GAP);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" \
         aria-labelledby=\"map-title map-desc\" class=\"chart tile-map\"><title id=\"map-title\">{}</title>\
         <desc id=\"map-desc\">{}</desc>",
        esc(text.title),
        esc(text.desc)
    );
    for (code, c, r) in TILES {
        let Some(t) = tiles.iter().find(|t| t.code == code) else { continue };
        let class = class_of(t.rate, t.count, breaks);
        let fill = CLASS_COLOURS[class];
        let ink = text_on(fill);
        let x = c as f64 * (TS + GAP);
        let y = r as f64 * (TS + GAP);
        s.push_str(&format!(
            "<g><title>{}: {} ({})</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{TS}\" height=\"{TS}\" rx=\"4\" fill=\"{fill}\" \
             stroke=\"#6f6f6f\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"16\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"{ink}\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"14\" text-anchor=\"middle\" fill=\"{ink}\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{ink}\">n={}</text></g>",
            esc(&t.name),
            fmt_rate(t.rate),
            t.count,
            x + TS / 2.0,
            y + 30.0,
            esc(&t.label),
            x + TS / 2.0,
            y + 56.0,
            fmt_rate(t.rate),
            x + TS / 2.0,
            y + 78.0,
            t.count
        ));
    }
    let lx = map_w + 16.0;
    s.push_str(&format!(
        "<text x=\"{lx:.1}\" y=\"20\" font-size=\"13\" font-weight=\"bold\" fill=\"#1a1a1a\">{}</text>",
        esc(legend_title)
    ));
    for (i, label) in legend.iter().enumerate() {
        let ly = 36.0 + i as f64 * 26.0;
        s.push_str(&format!(
            "<rect x=\"{lx:.1}\" y=\"{ly:.1}\" width=\"18\" height=\"18\" fill=\"{}\" stroke=\"#6f6f6f\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#1a1a1a\">{}</text>",
            CLASS_COLOURS[i.min(CLASS_COLOURS.len() - 1)],
            lx + 26.0,
            ly + 14.0,
            esc(label)
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(ticks(0), vec![0, 1]);
        assert_eq!(ticks(1), vec![0, 1]);
        assert_eq!(ticks(7), vec![0, 2, 4, 6, 8]);
        assert_eq!(ticks(10), vec![0, 2, 4, 6, 8, 10]);
        assert_eq!(ticks(93), vec![0, 20, 40, 60, 80, 100]);
        assert_eq!(ticks(1234), vec![0, 500, 1000, 1500]);
    }

    #[test]
    fn colours_meet_contrast() {
        assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
        assert!((contrast("#767676", "#ffffff") - 4.54).abs() < 0.01, "the usual AA grey");
        for fill in CLASS_COLOURS {
            assert!(contrast(fill, text_on(fill)) >= 4.5, "text on {fill}");
        }
        for c in SERIES_COLOURS {
            assert!(contrast(c, "#ffffff") >= 3.0, "series colour {c} against white");
        }
        // The darker classes get white text, the lighter black.
        assert_eq!(text_on(CLASS_COLOURS[0]), "#000000");
        assert_eq!(text_on(CLASS_COLOURS[5]), "#ffffff");
    }

    #[test]
    fn tiles_cover_the_eighteen_districts_once() {
        let codes: Vec<&str> = kernel::hk::districts().iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes.len(), 18);
        for c in &codes {
            assert_eq!(TILES.iter().filter(|t| t.0 == *c).count(), 1, "{c}");
        }
        let mut places: Vec<(u32, u32)> = TILES.iter().map(|t| (t.1, t.2)).collect();
        places.sort();
        places.dedup();
        assert_eq!(places.len(), 18, "no two tiles share a place");
        let at = |c: &str| TILES.iter().find(|t| t.0 == c).map(|t| (t.1, t.2)).unwrap();
        assert!(at("N").1 < at("KT").1 && at("KT").1 < at("WC").1, "north to south");
        assert!(at("E").0 > at("WC").0 && at("IS").0 < at("CW").0, "west to east");
    }

    #[test]
    fn rates_classes_and_legend() {
        assert!((rate(5, 250_000) - 2.0).abs() < 1e-12);
        assert_eq!(rate(5, 0), 0.0);
        assert_eq!(class_breaks(10.0), vec![2.0, 4.0, 6.0, 8.0]);
        assert_eq!(class_breaks(0.0), vec![1.0, 2.0, 3.0, 4.0]);
        let b = class_breaks(3.3);
        assert_eq!(b, vec![0.5, 1.0, 1.5, 2.0]);
        assert_eq!(class_of(0.0, 0, &b), 0);
        assert_eq!(class_of(0.1, 1, &b), 1);
        assert_eq!(class_of(0.5, 2, &b), 2);
        assert_eq!(class_of(3.3, 9, &b), 5);
        let l = legend_labels(&b, "0");
        assert_eq!(l, vec!["0", "> 0 – < 0.5", "0.5 – < 1.0", "1.0 – < 1.5", "1.5 – < 2.0", "≥ 2.0"]);
    }

    #[test]
    fn svgs_are_accessible_and_escaped() {
        let t = ChartText { title: "Cases <by> week", desc: "d & e", x_label: "Week", y_label: "Cases" };
        let weeks = vec!["2026-W01".to_string(), "2026-W02".to_string()];
        let s = epi_curve(
            &weeks,
            &[
                Series { label: "Confirmed".into(), values: vec![3, 0] },
                Series { label: "Probable".into(), values: vec![1, 2] },
            ],
            &t,
        );
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(s.contains("role=\"img\"") && s.contains("<title id=\"curve-title\">Cases &lt;by&gt; week</title>"));
        assert!(s.contains("d &amp; e"));
        assert_eq!(s.matches("<rect").count(), 3 + 2, "three bars and two legend keys");
        assert!(s.contains("2026-W01 Confirmed: 3"));
        let tiles: Vec<Tile> = TILES
            .iter()
            .map(|(c, _, _)| Tile {
                code: c.to_string(),
                name: c.to_string(),
                label: format!("L{c}"),
                count: 1,
                rate: 1.0,
            })
            .collect();
        let b = class_breaks(1.0);
        let m = tile_map(&tiles, &b, &legend_labels(&b, "0"), "Rate", &t);
        assert_eq!(m.matches("<g>").count(), 18);
        assert!(m.contains(">LKT</text>"), "each tile shows its label");
        assert!(m.contains("aria-labelledby=\"map-title map-desc\""));
    }
}
