//! The order people read QOF groups in: the main groups first, in a fixed
//! order, then the rest alphabetically.

use crate::Prevalence;

/// The main QOF groups, in the order people read them (others follow alphabetically).
pub const MAIN_GROUPS: [&str; 8] = ["HYP", "DM", "COPD", "AST", "CHD", "DEM", "DEP", "CKD"];

/// A group's place: its position among the main groups (others after them), then its code.
pub fn rank(group: &str) -> (usize, &str) {
    (MAIN_GROUPS.iter().position(|g| *g == group).unwrap_or(MAIN_GROUPS.len()), group)
}

/// Prevalence rows in reading order.
pub fn ordered(rows: &[Prevalence]) -> Vec<&Prevalence> {
    let mut out: Vec<&Prevalence> = rows.iter().collect();
    out.sort_by(|a, b| rank(&a.group).cmp(&rank(&b.group)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(group: &str) -> Prevalence {
        Prevalence {
            group: group.into(),
            register: 0,
            list: 0,
            percent: None,
            commissioner_percent: None,
            england_percent: None,
            ratio_to_england: None,
        }
    }

    #[test]
    fn main_groups_come_first_in_their_order_then_the_rest_alphabetically() {
        let rows: Vec<Prevalence> = ["STIA", "DM", "AF", "HYP", "CKD", "OB", "COPD"].into_iter().map(row).collect();
        let got: Vec<&str> = ordered(&rows).iter().map(|r| r.group.as_str()).collect();
        assert_eq!(got, ["HYP", "DM", "COPD", "CKD", "AF", "OB", "STIA"]);
    }
}
