//! Reading the payments file's columns: which PCN columns there are, the
//! entitlement streams each carries, the inputs some need beyond the
//! snapshot, and which can be compared this year.

use std::collections::HashMap;

use pcn_core::{Money, PracticePayments};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::rates::{Stream, YearRates};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Practice,
    Network,
}

/// A payments-file column and the entitlement streams it carries.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The stream name in reports.
    pub name: &'static str,
    /// The published column header.
    pub header: &'static str,
    pub streams: &'static [Stream],
    pub level: Level,
    /// An input the computed figure needs beyond the snapshot.
    pub needs: Option<Needs>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Beds,
    IifPoints,
    Workforce,
}

impl Needs {
    fn describe(self) -> &'static str {
        match self {
            Needs::Beds => "beds in aligned care homes per network (--beds)",
            Needs::IifPoints => "IIF points achieved per network (--iif-points)",
            Needs::Workforce => "ARRS staff records (--staff)",
        }
    }
}

/// What each PCN column of the payments file holds. "PCN Support" carries
/// the core PCN funding (£1.50 per registered patient) as well as the 2020/21
/// support payment: against the 2020/21 file, 281 networks are within 2.5% of
/// the two together and 12 of the support payment alone.
pub const COLUMNS: &[Column] = &[
    Column {
        name: "participation",
        header: "PCN Participation",
        streams: &[Stream::Participation],
        level: Level::Practice,
        needs: None,
    },
    Column {
        name: "clinical_director",
        header: "PCN Leadership",
        streams: &[Stream::ClinicalDirector, Stream::LeadershipManagement],
        level: Level::Network,
        needs: None,
    },
    Column {
        name: "support",
        header: "PCN Support",
        streams: &[Stream::CoreFunding, Stream::Support],
        level: Level::Network,
        needs: None,
    },
    Column {
        name: "extended_hours",
        header: "PCN Extended Hours Access",
        streams: &[Stream::ExtendedHours, Stream::EnhancedAccess],
        level: Level::Network,
        needs: None,
    },
    Column {
        name: "care_home_premium",
        header: "PCN Care Home Premium",
        streams: &[Stream::CareHomePremium],
        level: Level::Network,
        needs: Some(Needs::Beds),
    },
    Column {
        name: "iif",
        header: "PCN Investment and impact Fund",
        streams: &[Stream::Iif],
        level: Level::Network,
        needs: Some(Needs::IifPoints),
    },
    Column {
        name: "workforce",
        header: "PCN Workforce",
        streams: &[],
        level: Level::Network,
        needs: Some(Needs::Workforce),
    },
];

/// Inputs beyond the snapshot, by network code.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    pub beds: HashMap<String, Decimal>,
    pub iif_points: HashMap<String, Decimal>,
    /// Claimable ARRS reimbursement per network for the year.
    pub workforce: HashMap<String, Money>,
}

impl Extra {
    /// Whether the input a column needs was given at all.
    pub(super) fn has(&self, needs: Option<Needs>) -> bool {
        match needs {
            Some(Needs::Beds) => !self.beds.is_empty(),
            Some(Needs::IifPoints) => !self.iif_points.is_empty(),
            Some(Needs::Workforce) => !self.workforce.is_empty(),
            None => true,
        }
    }

    /// Whether the input a column needs covers network `code`: streams that
    /// need one compare only the networks it covers.
    pub(super) fn covers(&self, needs: Option<Needs>, code: &str) -> bool {
        match needs {
            Some(Needs::Beds) => self.beds.contains_key(code),
            Some(Needs::IifPoints) => self.iif_points.contains_key(code),
            Some(Needs::Workforce) => self.workforce.contains_key(code),
            None => true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotCompared {
    pub name: &'static str,
    pub column: &'static str,
    pub reason: String,
}

/// A row's amount in the column headed `header` (matched ignoring case and
/// surrounding spaces).
pub(super) fn column_amount(row: &PracticePayments, header: &str) -> Option<Money> {
    row.items.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(header)).map(|(_, v)| *v)
}

/// The columns that can be compared against the year's rows, in
/// [`COLUMNS`] order, and why each of the others cannot: absent or zero
/// throughout, an input not given, or no rate for the year.
pub(super) fn comparable(
    rows: &[&PracticePayments],
    rates: &YearRates,
    extra: &Extra,
) -> (Vec<Column>, Vec<NotCompared>) {
    let year = rates.year;
    let has_column = |h: &str| rows.iter().any(|r| column_amount(r, h).is_some_and(|m| m != Money::ZERO));
    let mut not_compared = Vec::new();
    let mut cols = Vec::new();
    for c in COLUMNS {
        if !has_column(c.header) {
            not_compared.push(NotCompared {
                name: c.name,
                column: c.header,
                reason: format!("the payments file for {year} has no {:?} column (or it is zero throughout)", c.header),
            });
            continue;
        }
        if !extra.has(c.needs) {
            let needs = c.needs.expect("inputs needed").describe();
            not_compared.push(NotCompared { name: c.name, column: c.header, reason: format!("needs {needs}") });
            continue;
        }
        if c.needs != Some(Needs::Workforce) && !rates.rates.iter().any(|r| c.streams.contains(&r.stream)) {
            not_compared.push(NotCompared {
                name: c.name,
                column: c.header,
                reason: format!("no rate for {year} in the rate table"),
            });
            continue;
        }
        cols.push(*c);
    }
    (cols, not_compared)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use pcn_core::{FinancialYear, PracticeCode};

    use super::*;

    fn row(items: &[(&str, i64)]) -> PracticePayments {
        PracticePayments {
            year: FinancialYear::new(2020),
            practice: PracticeCode::parse("A81001").unwrap(),
            network: None,
            commissioner: None,
            contract_type: None,
            practice_type: None,
            rurality: None,
            dispensing: None,
            close_date: None,
            registered_patients: None,
            weighted_patients: None,
            items: items.iter().map(|(h, p)| (h.to_string(), Money::from_pence(*p))).collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn columns_are_matched_ignoring_case_and_spaces() {
        let r = row(&[(" pcn participation ", 123)]);
        assert_eq!(column_amount(&r, "PCN Participation"), Some(Money::from_pence(123)));
        assert_eq!(column_amount(&r, "PCN Support"), None);
    }

    #[test]
    fn a_column_is_compared_only_with_its_inputs_and_a_rate() {
        let rates = crate::rates::year(FinancialYear::new(2020)).unwrap();
        let r = row(&[("PCN Participation", 100), ("PCN Care Home Premium", 100), ("PCN Support", 0)]);
        let (cols, not) = comparable(&[&r], rates, &Extra::default());
        assert_eq!(cols.iter().map(|c| c.name).collect::<Vec<_>>(), ["participation"]);
        let why: BTreeMap<&str, &str> = not.iter().map(|n| (n.name, n.reason.as_str())).collect();
        assert!(why["support"].contains("zero throughout"), "{}", why["support"]);
        assert_eq!(why["care_home_premium"], "needs beds in aligned care homes per network (--beds)");

        let mut extra = Extra::default();
        extra.beds.insert("U00001".into(), Decimal::from(40));
        let (cols, _) = comparable(&[&r], rates, &extra);
        assert_eq!(cols.iter().map(|c| c.name).collect::<Vec<_>>(), ["participation", "care_home_premium"]);
        assert!(extra.covers(Some(Needs::Beds), "U00001") && !extra.covers(Some(Needs::Beds), "U00002"));
        assert!(extra.covers(None, "U00002") && !extra.has(Some(Needs::Workforce)));
    }
}
