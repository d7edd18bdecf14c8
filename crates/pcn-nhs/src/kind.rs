//! The kinds of file pcn reads: what detection tells, what readers read.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
/// Declared in the order files are read (see `import_files`).
pub enum FileKind {
    /// ODS epraccur: 27 columns, no header (or the DSE export with one).
    Epraccur,
    /// Patients Registered at a GP Practice, all ages, all persons.
    Registrations,
    /// ODS ePCN workbook (.xlsx) with both sheets.
    EpcnWorkbook,
    /// CSV export of the ePCN `PCN Details` sheet.
    EpcnDetails,
    /// CSV export of the ePCN `PCN Core Partner Details` sheet.
    EpcnPartners,
    /// gp-reg-pat-prac-map: practice → PCN → sub-ICB (CCG) → ICB (STP) → region.
    PracticeMap,
    /// QOF MAPPING_NHS_GEOGRAPHIES.
    QofMapping,
    /// QOF PREVALENCE (registers and list sizes).
    QofPrevalence,
    /// NHS Payments to General Practice, practice level.
    Payments,
    /// NHS Payments to General Practice, PCN level (2024/25 on).
    NetworkPayments,
    /// NHS Digital PCN workforce (NWRS), individual level.
    Workforce,
    /// LSOA 2011 rural-urban classification.
    LsoaRurality,
    /// LSOA lookup with IMD 2019 deciles.
    LsoaDeprivation,
    /// LSOA population-weighted centroids.
    LsoaCentroids,
    /// LSOA to CCG / sub-ICB lookup.
    LsoaCommissioners,
    /// Commissioner boundaries as GeoJSON.
    Boundaries,
    /// CQC directory of active locations (care homes), CSV or workbook. Read
    /// before coordinates, which keep the care homes' postcodes too.
    CareHomes,
    /// Postcode coordinates (Code-Point derived CSV or ONSPD).
    Coordinates,
}

impl FileKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Epraccur => "ODS epraccur",
            Self::Registrations => "patients registered at a GP practice",
            Self::EpcnWorkbook => "ePCN workbook",
            Self::EpcnDetails => "ePCN PCN details",
            Self::EpcnPartners => "ePCN core partners",
            Self::PracticeMap => "practice to PCN and commissioner map (gp-reg-pat-prac-map)",
            Self::QofMapping => "QOF mapping of NHS geographies",
            Self::QofPrevalence => "QOF prevalence",
            Self::Payments => "NHS payments to general practice",
            Self::NetworkPayments => "NHS payments to general practice, PCN level",
            Self::Workforce => "PCN workforce (NWRS, individual level)",
            Self::LsoaRurality => "LSOA rural-urban classification",
            Self::LsoaDeprivation => "LSOA IMD 2019 lookup",
            Self::LsoaCentroids => "LSOA population-weighted centroids",
            Self::LsoaCommissioners => "LSOA to commissioner lookup",
            Self::Boundaries => "commissioner boundaries (GeoJSON)",
            Self::CareHomes => "CQC care directory (HSCA active locations)",
            Self::Coordinates => "postcode coordinates",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
