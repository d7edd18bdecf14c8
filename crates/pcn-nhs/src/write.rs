//! Writers of the formats pcn also produces, so what it writes reads back
//! through the same readers: the ePCN `PCN Core Partner Details` sheet as
//! CSV (the layout a formed configuration is exported in).

use std::io::Write;

use time::Date;

/// The column names of the core-partner CSV export, as the readers expect them.
pub const CORE_PARTNER_HEADER: [&str; 10] = [
    "PARTNER_ORG_CODE",
    "PARTNER_NAME",
    "PRACTICE_CCG_CODE",
    "PRACTICE_CCG_NAME",
    "PCN_CODE",
    "PCN_NAME",
    "PCN_CCG_CODE",
    "PCN_CCG_NAME",
    "REL_START_DATE",
    "REL_END_DATE",
];

/// One membership row of the core-partner sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorePartner {
    pub practice: String,
    pub practice_name: String,
    pub practice_commissioner: String,
    pub practice_commissioner_name: String,
    pub network: String,
    pub network_name: String,
    pub network_commissioner: String,
    pub network_commissioner_name: String,
    pub start: Option<Date>,
    pub end: Option<Date>,
}

/// `20190701`, as ODS writes dates.
pub fn yyyymmdd(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month() as u8, d.day())
}

/// Writes the header and the rows, in the order given.
pub fn write_core_partners<W: Write>(
    w: &mut csv::Writer<W>,
    rows: impl IntoIterator<Item = CorePartner>,
) -> csv::Result<()> {
    w.write_record(CORE_PARTNER_HEADER)?;
    for r in rows {
        w.write_record([
            r.practice,
            r.practice_name,
            r.practice_commissioner,
            r.practice_commissioner_name,
            r.network,
            r.network_name,
            r.network_commissioner,
            r.network_commissioner_name,
            r.start.map(yyyymmdd).unwrap_or_default(),
            r.end.map(yyyymmdd).unwrap_or_default(),
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::detect;
    use crate::kind::FileKind;

    #[test]
    fn what_is_written_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("partners.csv");
        let mut w = csv::Writer::from_path(&path).unwrap();
        let row = CorePartner {
            practice: "A81001".into(),
            practice_name: "THE DENSHAM SURGERY".into(),
            practice_commissioner: "16C".into(),
            network: "U12345".into(),
            network_commissioner: "16C".into(),
            start: Some(time::macros::date!(2021 - 01 - 01)),
            ..Default::default()
        };
        write_core_partners(&mut w, [row]).unwrap();
        w.flush().unwrap();
        assert_eq!(detect(&path).unwrap(), FileKind::EpcnPartners);
        let crate::Parsed::Epcn(e) = crate::read::read(&path, FileKind::EpcnPartners, &Default::default()).unwrap()
        else {
            panic!()
        };
        assert_eq!(e.partners[0].practice.as_str(), "A81001");
        assert_eq!(e.partners[0].start, Some(time::macros::date!(2021 - 01 - 01)));
        assert_eq!(e.partners[0].end, None);
    }
}
