//! NHS Payments to General Practice, practice level: one row per open
//! practice. 2020/21 (CCG columns, last known list sizes), or 2024/25 (sub-ICB
//! columns, average list sizes, the new RSV and winter access columns; the
//! network streams such as the care home premium are in the separate
//! PCN-level file from that year, which is not written). The reader takes the
//! year from the file name.

use std::io;
use std::path::Path;

use super::{Vintage, csv_writer, dd_mm_yyyy, finish, pounds, upper};
use crate::Area;

const HEADER: [&str; 26] = [
    "NHS England (Region) code",
    "NHS England (Region) Name",
    "CCG Code",
    "CCG NAME",
    "PCN Code",
    "PCN Name",
    "Practice Code",
    "Practice Name",
    "Practice Address",
    "Practice Postcode",
    "Practice Open Date",
    "Practice Close Date",
    "Contract Type",
    "Dispensing Practice",
    "Practice type",
    "Practice Rurality",
    "Atypical characteristics",
    "Number of Registered Patients (Last Known Figure)",
    "Number of Weighted Patients (Last Known Figure)",
    "Average payments per registered patient",
    "Average payments per weighted patient",
    "Global Sum",
    "Quality and Outcomes Framework (QOF) Achievement",
    "PCN Participation",
    "PCN Care Home Premium",
    "Total NHS Payments to General Practice",
];

const HEADER_2024_25: [&str; 27] = [
    "NHS England (Region) code",
    "NHS England (Region) Name",
    "Sub ICB Code",
    "Sub ICB Name",
    "PCN Code",
    "PCN Name",
    "Practice Code",
    "Practice Name",
    "Practice Address",
    "Practice Postcode",
    "Practice Open Date",
    "Practice Close Date",
    "Contract Type",
    "Dispensing Practice",
    "Practice type",
    "Practice Rurality",
    "Atypical characteristics",
    "Average Number of Registered Patients",
    "Average Number of Weighted Patients",
    "Average payments per registered patient",
    "Average payments per weighted patient",
    "Global Sum",
    "Total QOF Payments",
    "Respiratory Syncytial Virus",
    "winter Access Fund",
    "PCN Participation",
    "Total NHS Payments to General Practice",
];

/// What a network-less practice shows in the PCN columns.
const NO_PCN: &str = "Unknown or no PCN";

pub fn write(area: &Area, path: &Path, v: Vintage) -> io::Result<()> {
    let mut w = csv_writer(path, false)?;
    match v {
        Vintage::Ccg2021 => w.write_record(HEADER)?,
        Vintage::Icb2026 => w.write_record(HEADER_2024_25)?,
    }
    for p in &area.practices {
        let Some(pay) = &p.payments else { continue };
        let com = &area.commissioners[p.commissioner];
        let region = area.region_of(p.commissioner);
        let (pcn_code, pcn_name) = match p.network {
            Some(n) => (area.networks[n].code.to_string(), upper(&area.networks[n].name)),
            None => (NO_PCN.to_string(), NO_PCN.to_string()),
        };
        let address: Vec<String> = p.address.iter().filter(|l| !l.is_empty()).map(|l| upper(l)).collect();
        // 2024/25 pays participation at its own rate; the total follows.
        let (participation, total) = match (v, pay.pcn_participation) {
            (Vintage::Icb2026, Some(old)) => {
                let new = crate::payments::participation_2024_25(p.weighted_hundredths);
                (Some(new), pay.total - old + new)
            }
            (_, x) => (x, pay.total),
        };
        // Averages in pence, rounded half up, from whole-pence totals.
        let per = |patients_hundredths: u64| {
            let total = u64::try_from(total.max(0)).unwrap_or(0);
            let d = patients_hundredths.max(1);
            pounds(((total * 100 + d / 2) / d) as i64)
        };
        let mut record: Vec<String> = vec![
            region.code.to_string(),
            region.name.to_uppercase(),
            com.code.to_string(),
            upper(&v.commissioner_name(area, p.commissioner)),
            pcn_code,
            pcn_name,
            p.code.to_string(),
            upper(&p.name),
            address.join(", "),
            p.postcode.clone(),
            dd_mm_yyyy(p.open_date),
            p.close_date.map(dd_mm_yyyy).unwrap_or_default(),
            p.contract.as_str().to_string(),
            if p.dispensing { "Yes" } else { "No" }.to_string(),
            "GP Practice".into(),
            if p.rural { "Rural" } else { "Urban" }.to_string(),
            String::new(),
            p.registered.to_string(),
            p.weighted_text(),
            per(u64::from(p.registered) * 100),
            per(p.weighted_hundredths),
            pounds(pay.global_sum),
            pounds(pay.qof),
        ];
        match v {
            Vintage::Ccg2021 => record.extend([
                participation.map(pounds).unwrap_or_default(),
                pay.pcn_care_home_premium.map(pounds).unwrap_or_default(),
            ]),
            // RSV and the winter access fund: not itemised in the synthetic area.
            Vintage::Icb2026 => {
                record.extend(["0.00".to_string(), "0.00".to_string(), participation.map(pounds).unwrap_or_default()])
            }
        }
        record.push(pounds(total));
        w.write_record(&record)?;
    }
    finish(w)
}
