//! Date formats seen in NHS files, each tried in turn.

use time::{Date, Month};

/// Parses `20190401`, `2019-04-01`, `01/04/2019`, `01JAN2021`, `01-Apr-20`,
/// `01-APR-2020` and `2019-04-01T00:00:00`. Blank is the caller's business.
pub fn parse_date(raw: &str) -> Option<Date> {
    let s = raw.trim();
    let s = s.split_once('T').map_or(s, |(d, _)| d);
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let ymd = |y: &str, m: &str, d: &str| -> Option<Date> {
        let year: i32 = y.parse().ok()?;
        let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
        Date::from_calendar_date(year, month, d.parse().ok()?).ok()
    };
    if s.len() == 8 && digits(s) {
        return ymd(&s[0..4], &s[4..6], &s[6..8]);
    }
    if let [y, m, d] = s.split('-').collect::<Vec<_>>()[..]
        && y.len() == 4
        && digits(y)
        && digits(m)
        && digits(d)
    {
        return ymd(y, m, d);
    }
    if let [d, m, y] = s.split('/').collect::<Vec<_>>()[..]
        && y.len() == 4
        && digits(d)
        && digits(m)
        && digits(y)
    {
        return ymd(y, m, d);
    }
    // 01JAN2021
    if s.len() == 9 && digits(&s[0..2]) && digits(&s[5..9]) {
        return dmy_named(&s[0..2], &s[2..5], &s[5..9]);
    }
    // 01-Apr-20, 01-APR-2020
    if let [d, m, y] = s.split('-').collect::<Vec<_>>()[..]
        && digits(d)
        && m.len() == 3
        && digits(y)
    {
        let year = match y.len() {
            2 => format!("20{y}"),
            4 => y.to_string(),
            _ => return None,
        };
        return dmy_named(d, m, &year);
    }
    None
}

fn dmy_named(d: &str, m: &str, y: &str) -> Option<Date> {
    const NAMES: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    let idx = NAMES.iter().position(|n| n.eq_ignore_ascii_case(m))?;
    let month = Month::try_from(idx as u8 + 1).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_format_seen_in_nhs_files() {
        for (raw, want) in [
            ("20190401", date!(2019 - 04 - 01)),
            ("2024-06-01", date!(2024 - 06 - 01)),
            ("31/03/2020", date!(2020 - 03 - 31)),
            ("01JAN2021", date!(2021 - 01 - 01)),
            ("01Apr2021", date!(2021 - 04 - 01)),
            ("01-Apr-20", date!(2020 - 04 - 01)),
            ("01-APR-2020", date!(2020 - 04 - 01)),
            (" 2019-04-01T00:00:00 ", date!(2019 - 04 - 01)),
        ] {
            assert_eq!(parse_date(raw), Some(want), "{raw}");
        }
        for bad in ["", "2019", "20190231", "32/01/2020", "01XYZ2021", "1-2-3"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
