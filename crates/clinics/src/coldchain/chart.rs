//! A fridge's temperature as a server-rendered SVG chart (pure): the safe range shaded, the
//! readings as a line (averaged per pixel column, broken where the sensor was silent), and
//! the columns outside the range marked.

use super::rules::Limits;

const W: f64 = 720.0;
const H: f64 = 260.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 30.0;

/// Texts of the chart, in the page's language.
pub struct Labels<'a> {
    pub title: &'a str,
    pub desc: &'a str,
    pub no_data: &'a str,
}

/// One pixel column of readings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Column {
    pub x: f64,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
}

/// Running sums of one column: (sum, min, max, count, first at, last at).
type Acc = (f64, f64, f64, usize, i64, i64);

/// Averages readings per column of the plot; `gap_ms` of silence breaks the line.
pub fn columns(readings: &[(i64, f64)], from: i64, to: i64, gap_ms: i64) -> Vec<Vec<Column>> {
    let span = (to - from).max(1) as f64;
    let n = (W - LEFT - RIGHT).floor() as usize;
    let mut acc: Vec<Option<Acc>> = vec![None; n];
    for &(at, t) in readings {
        if at < from || at > to {
            continue;
        }
        let i = (((at - from) as f64 / span) * n as f64).floor().min(n as f64 - 1.0) as usize;
        acc[i] = Some(match acc[i] {
            None => (t, t, t, 1, at, at),
            Some((sum, lo, hi, k, first, last)) => (sum + t, lo.min(t), hi.max(t), k + 1, first.min(at), last.max(at)),
        });
    }
    let mut lines: Vec<Vec<Column>> = vec![];
    let mut last_at: Option<i64> = None;
    for (i, c) in acc.iter().enumerate() {
        let Some((sum, lo, hi, k, first, last)) = *c else { continue };
        let col = Column { x: LEFT + i as f64 + 0.5, mean: sum / k as f64, min: lo, max: hi };
        match (lines.last_mut(), last_at) {
            (Some(line), Some(prev)) if first - prev <= gap_ms => line.push(col),
            _ => lines.push(vec![col]),
        }
        last_at = Some(last);
    }
    lines
}

/// The chart. `ticks` are `(instant, label)` pairs for the time axis.
pub fn svg(
    readings: &[(i64, f64)],
    from: i64,
    to: i64,
    limits: Limits,
    ticks: &[(i64, String)],
    labels: &Labels<'_>,
) -> String {
    let lines = columns(readings, from, to, 20 * 60_000);
    let (mut lo, mut hi) = (limits.min_c - 2.0, limits.max_c + 2.0);
    for c in lines.iter().flatten() {
        lo = lo.min(c.min.floor() - 1.0);
        hi = hi.max(c.max.ceil() + 1.0);
    }
    let y = |t: f64| TOP + (hi - t) / (hi - lo) * (H - TOP - BOTTOM);
    let x = |at: i64| LEFT + (at - from) as f64 / (to - from).max(1) as f64 * (W - LEFT - RIGHT);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" class=\"chart\">\
         <title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{}</desc>",
        kernel::web::html::escape(labels.title),
        kernel::web::html::escape(labels.desc)
    );
    // The safe range.
    s.push_str(&format!(
        "<rect x=\"{LEFT}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#dff0d8\"/>",
        y(limits.max_c),
        W - LEFT - RIGHT,
        y(limits.min_c) - y(limits.max_c)
    ));
    // Temperature axis: every 2 °C.
    let mut t = (lo / 2.0).ceil() * 2.0;
    while t <= hi {
        s.push_str(&format!(
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#b1b4b6\" stroke-width=\"0.5\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#0b0c0c\">{t}°C</text>",
            W - RIGHT,
            LEFT - 4.0,
            y(t) + 4.0,
            y = y(t)
        ));
        t += 2.0;
    }
    // Time axis.
    for (at, label) in ticks {
        let px = x(*at);
        s.push_str(&format!(
            "<line x1=\"{px:.1}\" x2=\"{px:.1}\" y1=\"{TOP}\" y2=\"{:.1}\" stroke=\"#b1b4b6\" stroke-width=\"0.5\"/>\
             <text x=\"{px:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#0b0c0c\">{}</text>",
            H - BOTTOM,
            H - BOTTOM + 16.0,
            kernel::web::html::escape(label)
        ));
    }
    if lines.is_empty() {
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"14\" text-anchor=\"middle\" fill=\"#0b0c0c\">{}</text>",
            W / 2.0,
            H / 2.0,
            kernel::web::html::escape(labels.no_data)
        ));
    }
    for line in &lines {
        let pts: Vec<String> = line.iter().map(|c| format!("{:.1},{:.1}", c.x, y(c.mean))).collect();
        s.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#005a70\" stroke-width=\"1.5\"/>",
            pts.join(" ")
        ));
        for c in line.iter().filter(|c| c.max > limits.max_c || c.min < limits.min_c) {
            let t = if c.max > limits.max_c { c.max } else { c.min };
            s.push_str(&format!("<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2\" fill=\"#b10e1e\"/>", c.x, y(t)));
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coldchain::rules::VACCINE;

    const M: i64 = 60_000;

    fn labels() -> Labels<'static> {
        Labels { title: "Fridge <1>", desc: "24 h", no_data: "No readings" }
    }

    #[test]
    fn readings_average_per_column_and_gaps_break_the_line() {
        let from = 0;
        let to = 664 * M; // one minute per column
        let mut r = vec![(0, 4.0), (30_000, 6.0), (M, 5.0)];
        // Silent for an hour, then more readings.
        r.extend([(62 * M, 5.0), (63 * M, 5.5)]);
        let lines = columns(&r, from, to, 20 * M);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), 2);
        assert_eq!(lines[0][0], Column { x: LEFT + 0.5, mean: 5.0, min: 4.0, max: 6.0 });
        assert_eq!(lines[1][0].x, LEFT + 62.5);
        // Readings outside the window are left out.
        assert!(columns(&[(-5, 4.0), (to + 5, 4.0)], from, to, M).is_empty());
    }

    #[test]
    fn the_svg_marks_excursions_and_escapes_text() {
        let r: Vec<(i64, f64)> = (0..120).map(|i| (i * M, if (50..55).contains(&i) { 9.5 } else { 5.0 })).collect();
        let s = svg(&r, 0, 120 * M, VACCINE, &[(60 * M, "01:00".into())], &labels());
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(s.contains("<title id=\"chart-title\">Fridge &lt;1&gt;</title>"));
        assert_eq!(s.matches("<circle").count(), 5, "one marker per warm column");
        assert_eq!(s.matches("<polyline").count(), 1);
        assert!(s.contains(">01:00</text>"));
        assert!(s.contains(">8°C</text>") && s.contains(">2°C</text>"));
        // The axis stretches to show a reading far out of range.
        let s = svg(&[(0, 15.2)], 0, M, VACCINE, &[], &labels());
        assert!(s.contains(">16°C</text>"), "{s}");
    }

    #[test]
    fn no_readings_says_so() {
        let s = svg(&[], 0, M, VACCINE, &[], &labels());
        assert!(s.contains("No readings") && !s.contains("<polyline"));
    }
}
