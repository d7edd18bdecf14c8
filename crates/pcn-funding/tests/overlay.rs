//! Rates as the user's data: a user's year table parsed and validated like
//! the built-in ones, and an ICB's Local Variation Agreement as an overlay
//! that changes only its ICB's networks, and only from its date (by month).

use pcn_core::{FinancialYear, IcbCode, Money};
use pcn_funding::engine::{self, NetworkInput, Population, PracticeInput, Spell};
use pcn_funding::rates::{
    self, Basis, Confidence, Overlay, PaidTo, Per, Rate, RateBook, RatesError, RatesFile, Stream, YearRates,
};
use rust_decimal::Decimal;
use time::macros::date;

const USER_TABLE: &str = include_str!("../../../fixtures/rates/2026-27.toml");
const LVA: &str = include_str!("../../../fixtures/rates/lva-QA1-2026-27.toml");
const BAD_FIELD: &str = include_str!("../../../fixtures/rates/invalid/bad-field.toml");
const TOO_EARLY: &str = include_str!("../../../fixtures/rates/invalid/lva-too-early.toml");
const UNKNOWN_STREAM: &str = include_str!("../../../fixtures/rates/invalid/lva-unknown-stream.toml");
const BAD_TABLE: &str = include_str!("../../../fixtures/rates/invalid/2025-26.toml");

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn user_table() -> YearRates {
    rates::parse_table("fixtures/rates/2026-27.toml", USER_TABLE).unwrap_or_else(|e| panic!("{e}"))
}

fn lva() -> Overlay {
    rates::parse_overlay("lva.toml", LVA).unwrap_or_else(|e| panic!("{e}"))
}

fn icb(s: &str) -> IcbCode {
    IcbCode::parse(s).unwrap()
}

/// One practice of 10,000 registered (and weighted) patients in each of two
/// networks, all year.
fn world() -> (Vec<PracticeInput>, Vec<NetworkInput>) {
    let pop = |v: &str| Some(Population { value: dec(v), as_of: date!(2026 - 01 - 01), source: "test".into() });
    let practices = (0..2)
        .map(|i| PracticeInput {
            code: format!("A0000{i}"),
            registered: pop("10000"),
            weighted: pop("11000"),
            adjusted: pop("10500"),
        })
        .collect();
    let networks = (0..2)
        .map(|i| NetworkInput {
            code: format!("U0000{i}"),
            spells: vec![Spell {
                practice: i,
                from: date!(2026 - 04 - 01),
                to: date!(2027 - 03 - 31),
                participating: true,
            }],
            beds: Some(dec("20")),
            iif_points: None,
        })
        .collect();
    (practices, networks)
}

#[test]
fn a_user_table_is_parsed_and_validated_like_a_built_in_one() {
    let t = user_table();
    assert_eq!(t.year, FinancialYear::new(2026));
    assert_eq!(t.rates.len(), 6);
    assert!(t.rates.iter().all(|r| r.confidence == Confidence::R && r.note.is_some()));
    // The file's name fixes the year, as for the built-ins.
    let e = rates::parse_table("mine/2025-26.toml", USER_TABLE).unwrap_err();
    assert!(
        e.to_string().contains("mine/2025-26.toml: line 9: field year: is 2026/27 but the file is for 2025/26"),
        "{e}"
    );
    // A rule broken: the file, the line and the field.
    let e = rates::parse_table("fixtures/rates/invalid/2025-26.toml", BAD_TABLE).unwrap_err();
    assert!(matches!(e, RatesError::Invalid { .. }), "{e:?}");
    assert_eq!((e.line(), e.field()), (Some(9), Some("amount")), "{e}");
    assert!(e.to_string().starts_with("fixtures/rates/invalid/2025-26.toml: line 9: rates[0]"), "{e}");
    assert!(e.to_string().contains("amount -2.266 must be positive"), "{e}");
    // Built-ins are named by their path in the crate.
    assert_eq!(rates::builtin_files().next().map(|(f, _)| f).as_deref(), Some("rates/2019-20.toml"));
}

#[test]
fn toml_errors_carry_the_line_and_the_field() {
    let e = rates::parse_file("bad-field.toml", BAD_FIELD).unwrap_err();
    assert!(matches!(e, RatesError::Parse { .. }), "{e:?}");
    assert_eq!((e.line(), e.field()), (Some(10), Some("amout")), "{e}");
    assert!(e.to_string().starts_with("bad-field.toml: line 10: field amout: unknown field `amout`"), "{e}");
    // Not TOML at all.
    let e = rates::parse_file("x/2026-27.toml", "year = \"2026/27\"\ndes_start = 2026-04-01x\n").unwrap_err();
    assert_eq!(e.line(), Some(2), "{e}");
    // A missing field is named even when the parser points at a table.
    let text = USER_TABLE.replacen("per = \"year\"\n", "", 1);
    let e = rates::parse_table("2026-27.toml", &text).unwrap_err();
    assert_eq!(e.field(), Some("per"), "{e}");
    assert!(e.line().is_some(), "{e}");
}

#[test]
fn files_are_told_apart_by_their_keys() {
    assert!(matches!(rates::parse_file("2026-27.toml", USER_TABLE), Ok(RatesFile::Year(_))));
    match rates::parse_file("lva.toml", LVA) {
        Ok(RatesFile::Overlay(o)) => {
            assert_eq!(o.icb, icb("QA1"));
            assert_eq!(o.effective_from, date!(2026 - 05 - 01));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_agreement_before_1_may_2026_is_refused_with_the_rule() {
    let e = rates::parse_overlay("lva-too-early.toml", TOO_EARLY).unwrap_err();
    assert_eq!((e.line(), e.field()), (Some(5), Some("effective_from")), "{e}");
    let text = e.to_string();
    assert!(text.contains("2026-04-01 is before 1 May 2026"), "{text}");
    assert!(text.contains("Local Variation Agreements take effect from 1 May 2026"), "{text}");
    // The first day itself is allowed; a day outside the year is not.
    assert!(rates::parse_overlay("x.toml", &TOO_EARLY.replace("2026-04-01", "2026-05-01")).is_ok());
    let e = rates::parse_overlay("x.toml", &TOO_EARLY.replace("2026-04-01", "2027-05-01")).unwrap_err();
    assert!(e.to_string().contains("outside 2026/27"), "{e}");
}

#[test]
fn an_overlay_may_not_change_the_years_streams_or_roles_silently() {
    let base = user_table();
    let o = rates::parse_overlay("lva-unknown-stream.toml", UNKNOWN_STREAM).unwrap();
    let e = rates::apply(&base, "fixtures/rates/2026-27.toml", &o, "lva-unknown-stream.toml").unwrap_err();
    assert_eq!(e.field(), Some("stream"), "{e}");
    let text = e.to_string();
    assert!(text.contains("capacity_access_support is removed from the DES in the 2026/27 table"), "{text}");
    assert!(text.contains("addition = true"), "{text}");

    // Marked as an addition, it is paid from the agreement's date, for its networks.
    let added =
        rates::parse_overlay("x.toml", &UNKNOWN_STREAM.replace("per = \"year\"", "per = \"year\"\naddition = true"))
            .unwrap();
    let t = rates::apply(&base, "2026-27.toml", &added, "x.toml").unwrap();
    let casp: Vec<&Rate> = t.rates_for(Stream::CapacityAccessSupport).collect();
    assert_eq!(casp.len(), 1);
    assert_eq!((casp[0].from, casp[0].to), (date!(2026 - 05 - 01), date!(2027 - 03 - 31)));
    assert!(casp[0].source.starts_with("LVA QA1 from 2026-05-01: "), "{}", casp[0].source);
    assert!(t.no_rate_for(Stream::CapacityAccessSupport).is_none());

    // A basis the year does not pay the stream on is a change of structure too.
    let o = rates::parse_overlay("x.toml", &LVA.replace("basis = \"registered\"", "basis = \"weighted\"")).unwrap();
    let e = rates::apply(&base, "2026-27.toml", &o, "x.toml").unwrap_err();
    assert!(e.to_string().contains("paid on the registered and adjusted basis, not this one"), "{e}");
    // An addition of something the year pays is refused as well.
    let o =
        rates::parse_overlay("x.toml", &LVA.replacen("per = \"year\"", "per = \"year\"\naddition = true", 1)).unwrap();
    let e = rates::apply(&base, "2026-27.toml", &o, "x.toml").unwrap_err();
    assert_eq!(e.field(), Some("addition"), "{e}");
    // A stream whose year rate was not found cannot be varied from May: April is unknown.
    let o = rates::parse_overlay(
        "x.toml",
        &LVA.replace("core_funding", "iif")
            .replace("registered", "points")
            .replace("per = \"year\"", "per = \"year\"\naddition = true"),
    )
    .unwrap();
    let e = rates::apply(&base, "2026-27.toml", &o, "x.toml").unwrap_err();
    assert!(e.to_string().contains("was not found, so its months before 2026-05-01 cannot be computed"), "{e}");
    // A role the year does not list.
    let o = rates::parse_overlay("x.toml", &LVA.replace("clinical_pharmacist", "paramedic")).unwrap();
    let e = rates::apply(&base, "2026-27.toml", &o, "x.toml").unwrap_err();
    assert_eq!(e.field(), Some("role"), "{e}");
    assert!(e.to_string().contains("paramedic is not an ARRS role of the 2026/27 table"), "{e}");
    // An overlay for another year.
    let o =
        rates::parse_overlay("x.toml", &LVA.replace("2026/27", "2027/28").replace("2026-05-01", "2027-05-01")).unwrap();
    let e = rates::apply(&base, "2026-27.toml", &o, "x.toml").unwrap_err();
    assert!(e.to_string().contains("is 2027/28 but the table it varies is for 2026/27"), "{e}");
}

#[test]
fn applying_replaces_a_rate_from_the_effective_date_and_keeps_the_rest() {
    let base = user_table();
    let t = rates::apply(&base, "2026-27.toml", &lva(), "lva.toml").unwrap();
    let reg: Vec<&Rate> = t.rates_for(Stream::CoreFunding).filter(|r| r.basis == Basis::Registered).collect();
    assert_eq!(reg.len(), 2, "{reg:#?}");
    assert_eq!((reg[0].amount, reg[0].from, reg[0].to), (dec("2.266"), date!(2026 - 04 - 01), date!(2026 - 04 - 30)));
    assert_eq!((reg[1].amount, reg[1].from, reg[1].to), (dec("3.00"), date!(2026 - 05 - 01), date!(2027 - 03 - 31)));
    assert_eq!(reg[1].paid_to, PaidTo::Network);
    // Every other rate is the year's, untouched.
    let others = |y: &YearRates| -> Vec<Rate> {
        y.rates.iter().filter(|r| (r.stream, r.basis) != (Stream::CoreFunding, Basis::Registered)).cloned().collect()
    };
    assert_eq!(others(&t), others(&base));
    // The role's maximum changes on the date.
    let cp = t.role("clinical_pharmacist").unwrap();
    assert_eq!(cp.max_per_wte_year, Some(dec("66972")));
    assert_eq!((cp.uplift_from, cp.uplifted_max_per_wte_year), (Some(date!(2026 - 05 - 01)), Some(dec("70000"))));
    assert_eq!(t.role("gp"), base.role("gp"));
}

#[test]
fn a_period_amount_is_cut_in_proportion_to_its_months() {
    let mut base = user_table();
    base.rates.retain(|r| r.stream != Stream::CareHomePremium);
    base.rates.push(Rate {
        stream: Stream::CareHomePremium,
        basis: Basis::Beds,
        amount: dec("1200"),
        per: Per::Period,
        from: date!(2026 - 04 - 01),
        to: date!(2027 - 03 - 31),
        paid_to: PaidTo::Network,
        source: "test".into(),
        confidence: Confidence::V,
        note: None,
    });
    let text = "icb = \"QA1\"\nyear = \"2026/27\"\neffective_from = \"2026-07-15\"\nsource = \"test\"\n\n[[rates]]\nstream = \"care_home_premium\"\nbasis = \"beds\"\namount = \"900\"\nper = \"period\"\nconfidence = \"V\"\n";
    let o = rates::parse_overlay("p.toml", text).unwrap();
    let t = rates::apply(&base, "2026-27.toml", &o, "p.toml").unwrap();
    let chp: Vec<&Rate> = t.rates_for(Stream::CareHomePremium).collect();
    // A month is paid at the rate in force on its first day: April to July on the year's.
    assert_eq!((chp[0].amount, chp[0].to), (dec("400"), date!(2026 - 07 - 14)));
    assert_eq!((chp[1].amount, chp[1].from), (dec("900"), date!(2026 - 07 - 15)));
    let book = RateBook::new(base.clone(), "2026-27.toml", &[("p.toml".into(), o)]).unwrap();
    let (p, n) = world();
    let ent = engine::entitlements_by(&book, &[Some(icb("QA1")), None], &p, &n);
    // 20 beds: £400 x 20 over April-July, £900 x 20 over August-March.
    let months = |net: u32| -> [Money; 12] {
        let mut m = [Money::ZERO; 12];
        for l in ent.lines.iter().filter(|l| l.network == net && l.stream == Stream::CareHomePremium) {
            for (total, month) in m.iter_mut().zip(l.months) {
                *total += month;
            }
        }
        m
    };
    assert_eq!(months(0)[3], Money::from_pence(200_000), "July: 8,000 / 4");
    assert_eq!(months(0)[4], Money::from_pence(225_000), "August: 18,000 / 8");
    assert_eq!(ent.network_total(0, Some(Stream::CareHomePremium)), Money::from_pence(2_600_000));
    assert_eq!(ent.network_total(1, Some(Stream::CareHomePremium)), Money::from_pence(2_400_000));
}

#[test]
fn an_agreement_changes_only_its_icbs_networks_and_only_from_its_date() {
    let base = user_table();
    let (p, n) = world();
    let national = engine::entitlements(&base, &p, &n);
    let book = RateBook::new(base.clone(), "fixtures/rates/2026-27.toml", &[("lva.toml".into(), lva())]).unwrap();
    let icbs = [Some(icb("QA1")), Some(icb("QA2"))];
    let ent = engine::entitlements_by(&book, &icbs, &p, &n);
    // The other ICB's network: every line exactly as the national table gives.
    let lines = |e: &engine::Entitlements, net: u32| -> Vec<engine::Line> {
        let mut v: Vec<engine::Line> = e.lines.iter().filter(|l| l.network == net).cloned().collect();
        v.sort_by_key(|l| (l.stream, l.rate_source.clone(), l.months[0].pence()));
        v
    };
    assert_eq!(lines(&ent, 1), lines(&national, 1));
    // The ICB's network: core funding on the registered list is 10,000 x £2.266 / 12 for April,
    // 10,000 x £3.00 x 11 / 12 for May to March; nothing else changes.
    let want = Money::from_pounds(dec("10000") * dec("2.266") / dec("12")).unwrap()
        + Money::from_pounds(dec("10000") * dec("3.00") * dec("11") / dec("12")).unwrap();
    let core = |e: &engine::Entitlements| -> Money {
        e.lines
            .iter()
            .filter(|l| l.network == 0 && l.stream == Stream::CoreFunding && l.basis == Basis::Registered)
            .map(|l| l.annual)
            .sum()
    };
    assert_eq!(core(&ent), want);
    assert_eq!(core(&national), Money::from_pence(2_266_000));
    assert_eq!(ent.network_total(0, None) - national.network_total(0, None), want - Money::from_pence(2_266_000));
    let april: Money = ent
        .lines
        .iter()
        .filter(|l| l.network == 0 && l.stream == Stream::CoreFunding && l.basis == Basis::Registered)
        .map(|l| l.months[0])
        .sum();
    assert_eq!(april, Money::from_pence(188_833), "April on the year's rate: £22,660 / 12");
    // A network with no ICB known is on the national table.
    let ent = engine::entitlements_by(&book, &[None, None], &p, &n);
    assert_eq!(ent.network_total(0, None), national.network_total(0, None));
    // The book says what it used.
    assert_eq!(book.overlays.len(), 1);
    assert_eq!(book.overlays[0].streams, vec![Stream::CoreFunding]);
    assert_eq!(book.overlays_for(Some(&icb("QA2"))).len(), 0);
}

#[test]
fn several_agreements_for_one_icb_apply_in_date_order() {
    let base = user_table();
    let core_only = LVA.split("# A clinical pharmacist").next().unwrap();
    let later =
        rates::parse_overlay("later.toml", &core_only.replace("2026-05-01", "2026-10-01").replace("3.00", "4.00"))
            .unwrap();
    // Given in either order, the same result.
    let a =
        RateBook::new(base.clone(), "t", &[("later.toml".into(), later.clone()), ("lva.toml".into(), lva())]).unwrap();
    let b = RateBook::new(base.clone(), "t", &[("lva.toml".into(), lva()), ("later.toml".into(), later)]).unwrap();
    assert_eq!(a.varied, b.varied);
    let t = a.for_icb(Some(&icb("QA1")));
    let amounts: Vec<(Decimal, time::Date)> =
        t.rates_for(Stream::CoreFunding).filter(|r| r.basis == Basis::Registered).map(|r| (r.amount, r.from)).collect();
    assert_eq!(
        amounts,
        vec![
            (dec("2.266"), date!(2026 - 04 - 01)),
            (dec("3.00"), date!(2026 - 05 - 01)),
            (dec("4.00"), date!(2026 - 10 - 01))
        ]
    );
    // Two for one ICB on one date are refused.
    let e = RateBook::new(base, "t", &[("a.toml".into(), lva()), ("b.toml".into(), lva())]).unwrap_err();
    assert!(e.to_string().contains("one agreement per ICB and date"), "{e}");
}
