//! A network's profile as a printable page: self-contained (no scripts, no
//! external files, not even an icon; its style inline), every text from the
//! data escaped.

use std::fmt::Write as _;

use pcn_core::text::{escape_html as escape, thousands};

use crate::care_homes::NetworkCareHomes;
use crate::change::{Change, ChangeRow};
use crate::groups::ordered;
use crate::{Profile, Prompt};

fn opt(v: Option<f64>) -> String {
    v.map_or("-".into(), |x| format!("{x:.2}"))
}

/// A share as "12.5%", or "no data".
fn percent(v: Option<f64>) -> String {
    v.map_or("no data".into(), |x| format!("{:.1}%", x * 100.0))
}

/// A share as "12.5" in a column headed %, or "no data".
fn percent_number(v: Option<f64>) -> String {
    v.map_or("no data".into(), |x| format!("{:.1}", x * 100.0))
}

/// A change-table figure: counts whole with separators, the rest to two decimals.
fn figure(row: &ChangeRow, v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(x) if row.is_count() => thousands(x as i64),
        Some(x) => format!("{x:.2}"),
    }
}

/// The signed change (`+1.25`, `−300`, `0`).
fn signed(row: &ChangeRow) -> String {
    match row.change {
        None => "-".into(),
        Some(x) if x > 0.0 => format!("+{}", figure(row, Some(x))),
        Some(x) if x < 0.0 => format!("\u{2212}{}", figure(row, Some(-x))),
        Some(_) => "0".into(),
    }
}

/// The printable page of a network's profile in `snapshot`, with its prompts,
/// and its change since another snapshot when given.
pub fn page(
    snapshot: i64,
    p: &Profile,
    prompts: &[&Prompt],
    change: Option<&Change>,
    homes: Option<&NetworkCareHomes>,
) -> String {
    let mut h = String::new();
    let title = format!("{} {}", p.network, p.name.as_deref().unwrap_or(""));
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>Profile {t}</title>\
<style>body{{font:14px system-ui,sans-serif;margin:2em;max-width:60em}}table{{border-collapse:collapse;margin:1em 0}}\
td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:right}}th:first-child,td:first-child{{text-align:left}}\
.bar{{display:inline-block;height:.8em;background:#2b6cb0}}@media print{{body{{margin:0}}}}</style>\
<h1>Profile of {t}</h1><p>Commissioner {c}; snapshot {snapshot}; {n} practices; {r} registered patients{w}.</p>",
        t = escape(title.trim_end()),
        c = escape(p.commissioner.as_deref().unwrap_or("-")),
        n = p.practices,
        r = thousands(p.registered),
        w = p.weighted.map(|w| format!(", {} weighted", thousands(w))).unwrap_or_default(),
    );
    for x in prompts {
        let _ = write!(h, "<p><strong>Prompt ({}):</strong> {}</p>", escape(x.id), escape(&x.message));
    }
    let _ = write!(
        h,
        "<p>Rural (classes D and E): {} (commissioner {}, England {}). Mean IMD decile (1 = most deprived): {} (commissioner {}, England {}).</p>",
        percent(p.rural_share[0]),
        percent(p.rural_share[1]),
        percent(p.rural_share[2]),
        opt(p.mean_imd_decile[0]),
        opt(p.mean_imd_decile[1]),
        opt(p.mean_imd_decile[2])
    );
    if let Some(c) = change {
        let _ = write!(
            h,
            "<h2>Change since snapshot {then}</h2><table class=\"change\"><tr><th>measure</th><th>then (snapshot {then})</th><th>now (snapshot {now})</th><th>change</th></tr>",
            then = c.then_snapshot,
            now = c.now_snapshot
        );
        for r in &c.rows {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&r.measure),
                figure(r, r.then),
                figure(r, r.now),
                signed(r)
            );
        }
        h.push_str("</table>");
    }
    h.push_str("<h2>Disease prevalence (QOF)</h2><table><tr><th>group</th><th>register</th><th>list</th><th>%</th><th>commissioner %</th><th>England %</th><th>ratio to England</th><th></th></tr>");
    for r in ordered(&p.prevalence) {
        let width = r.ratio_to_england.map_or(0.0, |x| (x * 50.0).min(150.0));
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td style=\"text-align:left\"><span class=\"bar\" style=\"width:{width:.0}px\"></span></td></tr>",
            escape(&r.group),
            r.register,
            r.list,
            opt(r.percent),
            opt(r.commissioner_percent),
            opt(r.england_percent),
            opt(r.ratio_to_england)
        );
    }
    h.push_str("</table>");
    for (head, list) in [("Rurality (ONS 2011 class)", &p.rurality), ("Deprivation (IMD 2019 decile)", &p.deprivation)]
    {
        let _ = write!(h, "<h2>{head}</h2>");
        // Absent is absent: with no patient classified, no table of zeros.
        if list.iter().all(|m| m.share.is_none() && m.commissioner_share.is_none() && m.england_share.is_none()) {
            h.push_str("<p class=\"none\">No data: this snapshot has no LSOA data for these practices.</p>");
            continue;
        }
        h.push_str(
            "<table><tr><th>class</th><th>patients</th><th>%</th><th>commissioner %</th><th>England %</th></tr>",
        );
        for m in list {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&m.class),
                m.patients,
                percent_number(m.share),
                percent_number(m.commissioner_share),
                percent_number(m.england_share)
            );
        }
        h.push_str("</table>");
    }
    if let Some(c) = homes {
        care_homes(&mut h, c);
    }
    h.push_str("<p>Rurality and deprivation are those of each practice's nearest LSOA, counted in registered patients. Prevalence is QOF's: registers over the lists they are counted against.</p></html>\n");
    h
}

/// The care homes nearest the network's practices (CQC directory), and the premium paid.
fn care_homes(h: &mut String, c: &NetworkCareHomes) {
    let per = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.1}"));
    let _ = write!(
        h,
        "<h2>Care homes (CQC directory)</h2><p>{} with {} beds ({} with nursing) {} nearest this network's practices (an estimate of the homes it would align; alignments are agreed locally): {} beds per 1,000 registered patients (commissioner {}, England {}).",
        crate::care_homes::homes_text(c.homes),
        thousands(c.beds as i64),
        thousands(c.nursing_beds as i64),
        if c.homes == 1 { "is" } else { "are" },
        per(c.beds_per_1000[0]),
        per(c.beds_per_1000[1]),
        per(c.beds_per_1000[2]),
    );
    for p in &c.premium_paid {
        let _ = write!(h, " Care Home Premium paid for {}: {}.", escape(&p.year), p.paid);
    }
    h.push_str("</p>");
    if c.list.is_empty() {
        return;
    }
    h.push_str("<table><tr><th>care home</th><th>postcode</th><th>beds</th><th>nursing</th><th>nearest practice</th><th>km</th></tr>");
    for x in &c.list {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td></tr>",
            escape(&x.name),
            escape(x.postcode.as_deref().unwrap_or("-")),
            x.beds,
            if x.nursing { "yes" } else { "no" },
            escape(&x.nearest_practice),
            x.distance_km
        );
    }
    h.push_str("</table>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Change, Prevalence};

    fn profile() -> Profile {
        Profile {
            open: true,
            network: "U00001".into(),
            name: Some("<b>Town</b> & \"Country\" PCN".into()),
            commissioner: Some("00X".into()),
            practices: 3,
            registered: 32_500,
            weighted: Some(1_234_567),
            rurality: vec![],
            rural_share: [Some(0.25), Some(0.2), Some(0.15)],
            deprivation: vec![],
            mean_imd_decile: [Some(4.5), None, Some(5.5)],
            unclassified_patients: 0,
            prevalence: ["DM", "AF", "HYP"]
                .into_iter()
                .map(|g| Prevalence {
                    group: g.into(),
                    register: 100,
                    list: 1000,
                    percent: Some(10.0),
                    commissioner_percent: None,
                    england_percent: Some(10.0),
                    ratio_to_england: Some(1.0),
                })
                .collect(),
        }
    }

    #[test]
    fn the_page_escapes_names_and_orders_the_groups() {
        let p = profile();
        let html = page(7, &p, &[], None, None);
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains("Profile of U00001 &lt;b&gt;Town&lt;/b&gt; &amp; &quot;Country&quot; PCN"), "{html}");
        assert!(!html.contains("<b>Town"));
        assert!(html.contains("snapshot 7; 3 practices; 32,500 registered patients, 1,234,567 weighted."), "{html}");
        let at = |g: &str| html.find(&format!("<td>{g}</td>")).unwrap();
        assert!(at("HYP") < at("DM") && at("DM") < at("AF"));
        assert!(!html.contains("Change since"));
        assert!(!html.contains("<script") && !html.contains("http"));
    }

    #[test]
    fn the_change_table_is_signed() {
        let now = profile();
        let mut then = profile();
        then.registered = 33_000;
        then.practices = 2;
        then.prevalence[2].percent = Some(9.5);
        let c = Change::new(3, &then, 7, &now);
        let html = page(7, &now, &[], Some(&c), None);
        assert!(html.contains("<h2>Change since snapshot 3</h2>"), "{html}");
        assert!(
            html.contains("<tr><td>registered</td><td>33,000</td><td>32,500</td><td>\u{2212}500</td></tr>"),
            "{html}"
        );
        assert!(html.contains("<tr><td>practices</td><td>2</td><td>3</td><td>+1</td></tr>"), "{html}");
        assert!(html.contains("<tr><td>HYP prevalence %</td><td>9.50</td><td>10.00</td><td>+0.50</td></tr>"), "{html}");
        assert!(html.contains("<tr><td>DM prevalence %</td><td>10.00</td><td>10.00</td><td>0</td></tr>"), "{html}");
    }

    #[test]
    fn care_homes_are_listed_with_the_premium_paid() {
        use crate::care_homes::{AlignedHome, PremiumPaid};
        let homes = NetworkCareHomes {
            network: "U00001".into(),
            homes: 1,
            beds: 1_200,
            nursing_beds: 1_200,
            beds_per_1000: [Some(36.92), Some(10.0), None],
            premium_paid: vec![PremiumPaid { year: "2020/21".into(), paid: pcn_core::Money::from_pence(720_000) }],
            list: vec![AlignedHome {
                location_id: "1-1".into(),
                name: "Elm <House>".into(),
                postcode: Some("TS1 2AB".into()),
                beds: 1_200,
                nursing: true,
                nearest_practice: "A00002".into(),
                distance_km: 0.25,
                lat: 54.5,
                lon: -1.2,
            }],
        };
        let html = page(7, &profile(), &[], None, Some(&homes));
        assert!(html.contains("1 care home with 1,200 beds (1,200 with nursing) is nearest"), "{html}");
        assert!(html.contains("36.9 beds per 1,000 registered patients (commissioner 10.0, England -)"), "{html}");
        assert!(html.contains("Care Home Premium paid for 2020/21: £7,200.00."), "{html}");
        assert!(
            html.contains("<td>Elm &lt;House&gt;</td><td>TS1 2AB</td><td>1200</td><td>yes</td><td>A00002</td>"),
            "{html}"
        );
        assert!(!page(7, &profile(), &[], None, None).contains("Care homes"));
    }
}
