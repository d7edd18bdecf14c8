//! ODS ePCN: the workbook (sheets `PCN Details`, written `PCNDetails` from
//! 2022, and `PCN Core Partner Details`) or CSV exports of either sheet. Both
//! paths share the row logic, so the workbook and its CSVs give identical
//! records.
//!
//! The workbook is a history, not today's list: closed networks keep their
//! close date and ended memberships their end date, and a snapshot takes what
//! is in force on its date. Commissioner columns name CCGs until the April
//! 2022 release and sub-ICB locations after; a column this reader does not
//! know is refused by name.

use std::collections::HashMap;
use std::path::Path;

use calamine::{Reader, Xlsx, open_workbook};
use pcn_core::{CommissionerCode, Network, NetworkCode, PracticeCode, normalise_postcode};

use super::{EpcnRecords, MembershipRecord, ReadContext, Seen, sheet_record};
use crate::error::ReadError;
use crate::limits::Text;
use crate::table::{
    Header, Row, check_record, display_name, display_names, expect_width, for_each_record, normalise_header, open_csv,
    read_header,
};

const DETAILS_SHEET: &str = "PCN Details";
const PARTNERS_SHEET: &str = "PCN Core Partner Details";

pub fn read_workbook(path: &Path, ctx: &ReadContext<'_>) -> Result<EpcnRecords, ReadError> {
    let file = display_name(path);
    super::workbook::check_inflation(path)?;
    let mut wb: Xlsx<_> =
        open_workbook(path).map_err(|e| ReadError::file(&file, format!("not a readable .xlsx workbook: {e}")))?;
    if let Some(p) = ctx.progress {
        p(std::fs::metadata(path).map(|m| m.len()).unwrap_or(0));
    }
    let names = wb.sheet_names();
    let find = |want: &str| names.iter().find(|n| same_sheet(n, want)).cloned();
    let (Some(details), Some(partners)) = (find(DETAILS_SHEET), find(PARTNERS_SHEET)) else {
        return Err(ReadError::file(
            &file,
            format!("workbook has sheets {names:?}; an ePCN workbook has {DETAILS_SHEET:?} and {PARTNERS_SHEET:?}"),
        ));
    };
    let mut out = EpcnRecords::default();
    for (sheet, is_details) in [(details, true), (partners, false)] {
        let range = wb.worksheet_range(&sheet).map_err(|e| ReadError::file(&file, format!("sheet {sheet:?}: {e}")))?;
        let label = format!("{file} [{sheet}]");
        let first_row = range.start().map_or(0, |(r, _)| r as u64);
        let mut rows = range.rows().map(sheet_record);
        let header_rec = rows.next().ok_or_else(|| ReadError::file(&label, "the sheet is empty"))?;
        // Header cells break lines (`Partner\nOrganisation\nCode`); data cells may not.
        check_record(&label, first_row + 1, &header_rec, &[], true)?;
        let names = display_names(&header_rec);
        let header = Header::new(header_rec.iter());
        let mut sink = Sink::new(&label, first_row + 1, &header, is_details)?;
        for (i, rec) in rows.enumerate() {
            if rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            // Spreadsheet row numbers, as Excel shows them.
            let line = first_row + i as u64 + 2;
            check_record(&label, line, &rec, &names, false)?;
            sink.take(Row { file: &label, line, record: &rec }, &mut out)?;
        }
    }
    fill_network_names(&mut out);
    out.latest_date = latest_date(&out);
    Ok(out)
}

/// Sheet names compared without case or spaces: `PCNDetails` is `PCN Details`.
fn same_sheet(a: &str, b: &str) -> bool {
    let squash = |s: &str| normalise_header(s).replace(' ', "");
    squash(a) == squash(b)
}

/// The latest date the file records: what an ePCN file is dated by when
/// files of different dates are weighed against each other.
fn latest_date(out: &EpcnRecords) -> Option<time::Date> {
    let networks = out.networks.iter().flat_map(|n| [n.open_date, n.close_date]);
    let partners = out.partners.iter().flat_map(|p| [p.start, p.end]);
    networks.chain(partners).flatten().max()
}

pub fn read_details_csv(path: &Path, ctx: &ReadContext<'_>) -> Result<EpcnRecords, ReadError> {
    read_csv(path, ctx, true)
}

pub fn read_partners_csv(path: &Path, ctx: &ReadContext<'_>) -> Result<EpcnRecords, ReadError> {
    read_csv(path, ctx, false)
}

fn read_csv(path: &Path, ctx: &ReadContext<'_>, is_details: bool) -> Result<EpcnRecords, ReadError> {
    let file = display_name(path);
    let mut rdr = open_csv(path, true, ctx.progress)?;
    let header = read_header(&file, &mut rdr)?;
    let mut sink = Sink::new(&file, 1, &header, is_details)?;
    let mut out = EpcnRecords::default();
    for_each_record(&file, &mut rdr, |row| {
        expect_width(&row, header.len())?;
        sink.take(row, &mut out)
    })?;
    out.latest_date = latest_date(&out);
    Ok(out)
}

/// Partner rows whose network name is blank (a formula without a cached value)
/// take it from the details sheet.
fn fill_network_names(out: &mut EpcnRecords) {
    let names: HashMap<NetworkCode, String> =
        out.networks.iter().filter_map(|n| Some((n.code.clone(), n.name.clone()?))).collect();
    for p in &mut out.partners {
        if p.network_name.is_none() {
            p.network_name = names.get(&p.network).cloned();
        }
    }
}

/// Column positions for one sheet, and where its rows go.
enum Sink {
    Details { c: DetailsCols, seen: Seen<NetworkCode> },
    Partners { c: PartnerCols, seen: Seen<String> },
}

struct DetailsCols {
    code: usize,
    name: Option<usize>,
    ccg: Option<usize>,
    ccg_name: Option<usize>,
    open: Option<usize>,
    close: Option<usize>,
    postcode: Option<usize>,
}

struct PartnerCols {
    practice: usize,
    practice_name: Option<usize>,
    practice_ccg: Option<usize>,
    practice_ccg_name: Option<usize>,
    network: usize,
    network_name: Option<usize>,
    network_ccg: Option<usize>,
    network_ccg_name: Option<usize>,
    start: Option<usize>,
    end: Option<usize>,
}

// Column names of every vintage: CCG until April 2022, sub-ICB location
// after; the DSE CSV exports' underscored names; pcn's own export.
const PCN_CODE: &[&str] = &["PCN Code", "PCN_CODE"];
const PCN_NAME: &[&str] = &["PCN Name", "PCN_NAME"];
const CURRENT_COMMISSIONER: &[&str] = &[
    "Current Sub ICB Loc Code",
    "Current Sub ICB Location Code",
    "Current Clinical Commissioning Group Code",
    "Current CCG Code",
    "CCG_CODE",
    "SUB_ICB_LOCATION_CODE",
    "SUB_ICB_LOC_CODE",
];
const CURRENT_COMMISSIONER_NAME: &[&str] = &[
    "Sub ICB Location",
    "Sub ICB Location Name",
    "Sub ICB Loc Name",
    "Clinical Commissioning Group Name",
    "CCG Name",
    "CCG_NAME",
    "SUB_ICB_LOCATION_NAME",
    "SUB_ICB_LOC_NAME",
];
const OPEN: &[&str] = &["Open Date", "OPEN_DATE"];
const CLOSE: &[&str] = &["Close Date", "CLOSE_DATE"];
const POSTCODE: &[&str] = &["Postcode", "POSTCODE"];
const ADDRESS: &[&str] = &[
    "Address Line 1",
    "Address Line 2",
    "Address Line 3",
    "Address Line 4",
    "Address Line 5",
    "ADDRESS_1",
    "ADDRESS_2",
    "ADDRESS_3",
    "ADDRESS_4",
    "ADDRESS_5",
];
const PARTNER: &[&str] = &["Partner Organisation Code", "PARTNER_ORG_CODE"];
const PARTNER_NAME: &[&str] = &["Partner Name", "PARTNER_NAME"];
const PRACTICE_COMMISSIONER: &[&str] =
    &["Practice Parent Sub ICB Loc Code", "Practice Parent CCG Code", "PRACTICE_CCG_CODE", "PRACTICE_SUB_ICB_LOC_CODE"];
const PRACTICE_COMMISSIONER_NAME: &[&str] =
    &["Practice Parent Sub ICB Loc Name", "Practice Parent CCG Name", "PRACTICE_CCG_NAME", "PRACTICE_SUB_ICB_LOC_NAME"];
const NETWORK_COMMISSIONER: &[&str] =
    &["PCN Parent Sub ICB Loc Code", "PCN Parent CCG Code", "PCN_CCG_CODE", "PCN_SUB_ICB_LOC_CODE"];
const NETWORK_COMMISSIONER_NAME: &[&str] =
    &["PCN Parent Sub ICB Loc Name", "PCN Parent CCG Name", "PCN_CCG_NAME", "PCN_SUB_ICB_LOC_NAME"];
const START: &[&str] = &["Practice to PCN Relationship Start Date", "REL_START_DATE"];
const END: &[&str] = &["Practice to PCN Relationship End Date", "REL_END_DATE"];
/// The sheet's own check column (a formula, TRUE where the two commissioners agree): not read.
const MATCH: &[&str] = &[
    "Practice CCG and PCN CCG match?",
    "Practice CCG and PCN CCG match",
    "Practice Sub ICB Loc and PCN Sub ICB Loc Match",
    "Practice Sub ICB Loc and PCN Sub ICB Loc Match?",
];

fn known(groups: &[&[&'static str]]) -> Vec<&'static str> {
    groups.iter().flat_map(|g| g.iter().copied()).collect()
}

impl Sink {
    fn new(file: &str, header_line: u64, h: &Header, is_details: bool) -> Result<Self, ReadError> {
        Ok(if is_details {
            let all = known(&[
                PCN_CODE,
                PCN_NAME,
                CURRENT_COMMISSIONER,
                CURRENT_COMMISSIONER_NAME,
                OPEN,
                CLOSE,
                POSTCODE,
                ADDRESS,
            ]);
            h.refuse_unknown(file, header_line, &all, "an ePCN PCN Details sheet")?;
            Sink::Details {
                c: DetailsCols {
                    code: h.require(file, PCN_CODE)?,
                    name: h.find(PCN_NAME),
                    ccg: h.find(CURRENT_COMMISSIONER),
                    ccg_name: h.find(CURRENT_COMMISSIONER_NAME),
                    open: h.find(OPEN),
                    close: h.find(CLOSE),
                    postcode: h.find(POSTCODE),
                },
                seen: Seen::new(),
            }
        } else {
            let all = known(&[
                PARTNER,
                PARTNER_NAME,
                PRACTICE_COMMISSIONER,
                PRACTICE_COMMISSIONER_NAME,
                PCN_CODE,
                PCN_NAME,
                NETWORK_COMMISSIONER,
                NETWORK_COMMISSIONER_NAME,
                START,
                END,
                MATCH,
            ]);
            h.refuse_unknown(file, header_line, &all, "an ePCN PCN Core Partner Details sheet")?;
            Sink::Partners {
                c: PartnerCols {
                    practice: h.require(file, PARTNER)?,
                    practice_name: h.find(PARTNER_NAME),
                    practice_ccg: h.find(PRACTICE_COMMISSIONER),
                    practice_ccg_name: h.find(PRACTICE_COMMISSIONER_NAME),
                    network: h.require(file, PCN_CODE)?,
                    network_name: h.find(PCN_NAME),
                    network_ccg: h.find(NETWORK_COMMISSIONER),
                    network_ccg_name: h.find(NETWORK_COMMISSIONER_NAME),
                    start: h.find(START),
                    end: h.find(END),
                },
                seen: Seen::new(),
            }
        })
    }

    fn take(&mut self, row: Row<'_>, out: &mut EpcnRecords) -> Result<(), ReadError> {
        let ccg = |i: Option<usize>, f: &str| -> Result<Option<CommissionerCode>, ReadError> {
            match i {
                Some(i) => row.parse_opt(i, f, CommissionerCode::parse),
                None => Ok(None),
            }
        };
        let date = |i: Option<usize>, f: &str| match i {
            Some(i) => row.date_opt(i, f),
            None => Ok(None),
        };
        match self {
            Sink::Details { c, seen, .. } => {
                let code = row.parse(c.code, "PCN Code", NetworkCode::parse)?;
                seen.insert(row.file, row.line, "PCN Code", code.clone())?;
                let commissioner = ccg(c.ccg, "Current CCG Code")?;
                if let Some(cc) = &commissioner {
                    let facts = out.commissioners.entry(cc.clone()).or_default();
                    facts.name = facts.name.take().or(row.text(c.ccg_name, "CCG Name", Text::Name)?);
                }
                out.networks.push(Network {
                    code,
                    name: row.text(c.name, "PCN Name", Text::Name)?,
                    commissioner,
                    open_date: date(c.open, "Open Date")?,
                    close_date: date(c.close, "Close Date")?,
                    postcode: row.text(c.postcode, "Postcode", Text::Postcode)?.as_deref().and_then(normalise_postcode),
                });
            }
            Sink::Partners { c, seen } => {
                let practice = row.parse(c.practice, "Partner Organisation Code", PracticeCode::parse)?;
                let network = row.parse(c.network, "PCN Code", NetworkCode::parse)?;
                let start = date(c.start, "Relationship Start Date")?;
                let end = date(c.end, "Relationship End Date")?;
                let key = format!("{practice} in {network} from {}", start.map_or("?".into(), |d| d.to_string()));
                seen.insert(row.file, row.line, "Partner Organisation Code", key)?;
                let practice_commissioner = ccg(c.practice_ccg, "Practice Parent CCG Code")?;
                let network_commissioner = ccg(c.network_ccg, "PCN Parent CCG Code")?;
                for (code, name_col) in
                    [(&practice_commissioner, c.practice_ccg_name), (&network_commissioner, c.network_ccg_name)]
                {
                    if let Some(cc) = code {
                        let facts = out.commissioners.entry(cc.clone()).or_default();
                        facts.name = facts.name.take().or(row.text(name_col, "CCG Name", Text::Name)?);
                    }
                }
                out.partners.push(MembershipRecord {
                    practice,
                    practice_name: row.text(c.practice_name, "Partner Name", Text::Name)?,
                    practice_commissioner,
                    network,
                    network_name: row.text(c.network_name, "PCN Name", Text::Name)?,
                    network_commissioner,
                    start,
                    end,
                });
            }
        }
        Ok(())
    }
}
