//! Which NHS publications, and which of their layouts, the files follow.
//!
//! The area is the same; the vintage decides the date the files carry, the
//! commissioner words and codes (CCGs in STPs, or sub-ICB locations in the
//! merged ICBs of April 2026 with their five-character codes), and which
//! files are written (the monthly practice map exists only in the ICB era;
//! the payments file is of the latest year published).

use time::Date;
use time::macros::date;

use crate::Area;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Vintage {
    /// January 2021: CCGs and STPs, registrations `01JAN2021`, the ePCN's
    /// CCG headers, NHS Payments 2020/21.
    Ccg2021,
    /// April 2026, today's England: sub-ICB locations in ICBs with
    /// five-character codes, registrations with an ISO extract date, the
    /// practice → PCN map, the ePCN's sub-ICB headers, QOF registers written
    /// as decimals, NHS Payments 2024/25 (the latest published).
    #[default]
    Icb2026,
}

impl Vintage {
    pub const ALL: [Vintage; 2] = [Vintage::Ccg2021, Vintage::Icb2026];

    pub fn as_str(self) -> &'static str {
        match self {
            Vintage::Ccg2021 => "ccg-2021",
            Vintage::Icb2026 => "icb-2026",
        }
    }

    pub fn parse(s: &str) -> Option<Vintage> {
        Vintage::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The extract date the files carry, and so the snapshot's date.
    pub fn extract_date(self, area: &Area) -> Date {
        match self {
            Vintage::Ccg2021 => area.extract_date,
            Vintage::Icb2026 => date!(2026 - 04 - 01),
        }
    }

    /// The code of STP/ICB `stp`: the STP's `Qxx`, or from April 2026 a
    /// five-character code (letter, digit, letter, digit, letter) unique per
    /// ICB, as the merged ICBs have (e.g. D7T5G).
    pub fn icb_code(self, area: &Area, stp: usize) -> String {
        match self {
            Vintage::Ccg2021 => area.stps[stp].code.to_string(),
            Vintage::Icb2026 => {
                const L: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ";
                let n = L.len();
                let c = |i: usize| L[i % n] as char;
                let d = |i: usize| char::from(b'0' + (i % 10) as u8);
                format!("{}{}{}{}{}", c(stp), d(stp / n), c(stp * 5 + 11), d(stp * 3 + 7), c(stp * 7 + 2))
            }
        }
    }

    /// The ICB's name as the files write it.
    pub fn icb_name(self, area: &Area, stp: usize) -> String {
        match self {
            Vintage::Ccg2021 => area.stps[stp].name.clone(),
            Vintage::Icb2026 => format!("NHS {} Integrated Care Board", icb_place(area, stp)),
        }
    }

    /// The commissioner's name: a CCG, or the ICB's sub-ICB location.
    pub fn commissioner_name(self, area: &Area, commissioner: usize) -> String {
        let c = &area.commissioners[commissioner];
        match self {
            Vintage::Ccg2021 => c.name.clone(),
            Vintage::Icb2026 => format!("NHS {} ICB - {}", icb_place(area, c.stp), c.code),
        }
    }
}

/// The places an ICB is named after: its STP's name without "Health and Care Partnership".
fn icb_place(area: &Area, stp: usize) -> &str {
    area.stps[stp].name.trim_end_matches(" Health and Care Partnership")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icb_codes_of_2026_are_five_characters_unique_and_valid() {
        let area = crate::generate(&crate::Config { practices: 3000, seed: 3 });
        let codes: std::collections::BTreeSet<String> =
            (0..area.stps.len()).map(|i| Vintage::Icb2026.icb_code(&area, i)).collect();
        assert_eq!(codes.len(), area.stps.len());
        for c in &codes {
            assert_eq!(c.len(), 5, "{c}");
            assert!(pcn_core::IcbCode::parse(c).is_ok(), "{c}");
        }
        assert_eq!(Vintage::Ccg2021.icb_code(&area, 0), area.stps[0].code.to_string());
        assert_eq!(Vintage::parse("icb-2026"), Some(Vintage::Icb2026));
        assert_eq!(Vintage::default(), Vintage::Icb2026);
    }
}
