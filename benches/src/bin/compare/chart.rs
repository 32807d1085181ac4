//! Horizontal grouped bar charts on a log scale, as SVG documents: one group of bars per
//! workload, one bar per series. `--tiers --svg` draws wall times with it, `--process
//! --svg` ratios (bars from 1.0, to the left where wisp is faster).

use std::fmt::Write as _;

/// What to draw.
pub struct Chart<'a> {
    /// The line above the plot.
    pub title: &'a str,
    /// Each series' legend and colour, in the order of the bars in a group.
    pub series: &'a [(&'a str, &'a str)],
    /// Each group's label and its value per series (`None`, or not positive: no bar).
    pub groups: Vec<(&'a str, Vec<Option<f64>>)>,
    /// Where the bars start: `None` for the axis's left end (quantities), `Some(1.0)` for
    /// ratios, which then extend left or right of a line at 1.0 and are labelled with two
    /// decimals.
    pub origin: Option<f64>,
}

const LABEL: f64 = 150.0;
const PLOT: f64 = 560.0;
const BAR: f64 = 9.0;
const TOP: f64 = 40.0;

/// The chart as an SVG document.
pub fn svg(chart: &Chart) -> String {
    let bars = chart.series.len().max(1) as f64;
    let group = bars * BAR + 10.0;
    let values = chart
        .groups
        .iter()
        .flat_map(|(_, vs)| vs.iter().flatten().copied())
        .chain(chart.origin)
        .filter(|v| *v > 0.0);
    let (lo, hi) = values.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if lo.is_finite() {
        (
            lo.log10().floor(),
            hi.log10().ceil().max(lo.log10().floor() + 1.0),
        )
    } else {
        (0.0, 1.0)
    };
    let x = |v: f64| LABEL + (v.max(1e-9).log10() - lo) / (hi - lo) * PLOT;
    let height = TOP + group * chart.groups.len() as f64 + 30.0;
    let width = LABEL + PLOT + 90.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(
        s,
        r#"<rect width="100%" height="100%" fill="white"/><text x="{LABEL}" y="16" font-size="13">{}</text>"#,
        chart.title
    );
    let mut lx = LABEL;
    for (name, color) in chart.series {
        let _ = writeln!(
            s,
            r#"<rect x="{lx}" y="24" width="10" height="10" fill="{color}"/><text x="{}" y="33">{name}</text>"#,
            lx + 14.0
        );
        lx += (name.chars().count() as f64 * 6.5 + 30.0).max(160.0);
    }
    // A line per decade, labelled; over two decades or less, at 2 and 5 of each too.
    let steps: &[f64] = if hi - lo <= 2.0 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    for decade in lo as i32..=hi as i32 {
        for &step in steps {
            let v = step * 10f64.powi(decade);
            if v.log10() > hi + 1e-9 {
                continue;
            }
            let gx = x(v);
            let digits = usize::try_from(-decade).unwrap_or(0);
            let _ = writeln!(
                s,
                r##"<line x1="{gx}" y1="{TOP}" x2="{gx}" y2="{}" stroke="#ddd"/><text x="{gx}" y="{}" text-anchor="middle">{v:.digits$}</text>"##,
                height - 25.0,
                height - 12.0,
            );
        }
    }
    let base = chart.origin.map_or(LABEL, x);
    if chart.origin.is_some() {
        let _ = writeln!(
            s,
            r##"<line x1="{base}" y1="{}" x2="{base}" y2="{}" stroke="#444"/>"##,
            TOP - 4.0,
            height - 25.0
        );
    }
    for (g, (name, vs)) in chart.groups.iter().enumerate() {
        let gy = TOP + g as f64 * group;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{name}</text>"#,
            LABEL - 6.0,
            gy + bars / 2.0 * BAR + 4.0
        );
        for (k, &(_, color)) in chart.series.iter().enumerate() {
            let Some(v) = vs.get(k).copied().flatten().filter(|v| *v > 0.0) else {
                continue;
            };
            let y = gy + k as f64 * BAR;
            let end = x(v);
            // The value beside the bar's far end: right of it, or left of a bar that
            // extends left of the origin.
            let (tx, anchor) = if end >= base {
                (end + 3.0, "start")
            } else {
                (end - 3.0, "end")
            };
            let _ = writeln!(
                s,
                r#"<rect x="{:.1}" y="{y}" width="{:.1}" height="{}" fill="{color}"/><text x="{tx:.1}" y="{}" font-size="9" text-anchor="{anchor}">{}</text>"#,
                base.min(end),
                (end - base).abs().max(1.0),
                BAR - 1.0,
                y + BAR - 2.0,
                if chart.origin.is_some() {
                    format!("{v:.2}")
                } else {
                    fmt_value(v)
                }
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

/// A quantity beside its bar (ratios have two decimals).
fn fmt_value(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::{svg, Chart};

    #[test]
    fn ratio_bars_start_at_one_and_point_both_ways() {
        let chart = Chart {
            title: "t",
            series: &[("a", "#000"), ("b", "#111")],
            groups: vec![
                ("w", vec![Some(0.5), Some(2.0)]),
                ("v", vec![None, Some(1.0)]),
            ],
            origin: Some(1.0),
        };
        let s = svg(&chart);
        // Axis 0.1 ..= 10 over 560 px from x = 150: 1.0 at 430.
        assert!(s.contains(r#"x1="430" y1="36" x2="430""#), "{s}");
        // 0.5 lies left of 1.0: the bar starts at 0.5 and its label is anchored at its end.
        assert!(s.contains(r#"<rect x="345.7""#), "{s}");
        assert!(s.contains(r#"text-anchor="end">0.50<"#), "{s}");
        assert!(s.contains(r#"<rect x="430.0""#), "{s}");
        assert_eq!(s.matches("<rect x=").count(), 2 + 3, "{s}");
    }
}
