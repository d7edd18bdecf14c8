//! Reading snapshots back into the domain model.

use std::collections::BTreeMap;

use pcn_core::{
    Boundary, CareHome, Commissioner, CommissionerCode, DiseaseRegister, FinancialYear, IcbCode, ListSize, ListSource,
    Location, LonLat, Lsoa, Membership, Money, Network, NetworkCode, NetworkPayments, Practice, PracticeCode,
    PracticePayments, PracticeStatus, RegionCode, Snapshot, WorkforceRecord,
};

use crate::codec::{parse_date, parse_decimal, parse_opt_with, parse_with};
use crate::{Result, SnapshotSummary, SourceRecord, Store, StoreError};

/// Which of the larger side tables to load with the core of a snapshot
/// (practices, commissioners, networks, memberships, list sizes).
#[derive(Debug, Clone, Copy, Default)]
pub struct Include {
    pub registers: bool,
    pub payments: bool,
    pub lsoas: bool,
    pub boundaries: bool,
    /// NWRS PCN workforce records.
    pub workforce: bool,
}

impl Include {
    pub const ALL: Include =
        Include { registers: true, payments: true, lsoas: true, boundaries: true, workforce: true };
}

pub(crate) async fn summaries(store: &Store) -> Result<Vec<SnapshotSummary>> {
    let rows: Vec<(i64, String, String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT s.id, s.as_of, s.imported_at,
                (SELECT COUNT(*) FROM practices p WHERE p.snapshot_id = s.id),
                (SELECT COUNT(*) FROM practices p WHERE p.snapshot_id = s.id AND p.status = 'active'
                     AND (p.prescribing_setting IS NULL OR p.prescribing_setting = 4)),
                (SELECT COUNT(*) FROM networks n WHERE n.snapshot_id = s.id),
                (SELECT COUNT(*) FROM memberships m WHERE m.snapshot_id = s.id)
         FROM snapshots s ORDER BY s.id",
    )
    .fetch_all(&store.pool)
    .await?;
    let sources: Vec<(i64, String, String, String, i64, i64)> =
        sqlx::query_as("SELECT snapshot_id, path, kind, sha256, bytes, records FROM snapshot_sources ORDER BY seq")
            .fetch_all(&store.pool)
            .await?;
    let mut by_snap: BTreeMap<i64, Vec<SourceRecord>> = BTreeMap::new();
    for (sid, path, kind, sha256, bytes, records) in sources {
        by_snap.entry(sid).or_default().push(SourceRecord {
            path,
            kind,
            sha256,
            bytes: bytes as u64,
            records: records as u64,
        });
    }
    rows.into_iter()
        .map(|(id, as_of, imported_at, practices, active_practices, networks, memberships)| {
            Ok(SnapshotSummary {
                id,
                as_of: parse_date(&store.path, Some(as_of))?.expect("some"),
                imported_at,
                practices,
                active_practices,
                networks,
                memberships,
                sources: by_snap.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct CommissionerRow {
    code: String,
    name: Option<String>,
    ons_code: Option<String>,
    parent: Option<String>,
    parent_name: Option<String>,
    region: Option<String>,
    region_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct NetworkRow {
    code: String,
    name: Option<String>,
    commissioner: Option<String>,
    open_date: Option<String>,
    close_date: Option<String>,
    postcode: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ListSizeRow {
    practice: String,
    registered: Option<String>,
    weighted: Option<String>,
    as_of: String,
    source: String,
}

#[derive(sqlx::FromRow)]
struct BoundaryRow {
    ons_code: Option<String>,
    commissioner: Option<String>,
    name: Option<String>,
    geometry: String,
}

type PracticeRow = (
    String,
    Option<String>,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<String>,
    Option<String>,
);

impl Store {
    pub async fn load_snapshot(&self, id: i64, include: Include) -> Result<Snapshot> {
        let path = self.path.as_str();
        let pool = &self.pool;
        let as_of: Option<String> =
            sqlx::query_scalar("SELECT as_of FROM snapshots WHERE id = $1").bind(id).fetch_optional(pool).await?;
        let as_of = as_of.ok_or(StoreError::NoSuchSnapshot(id))?;
        let mut snap = Snapshot { as_of: parse_date(path, Some(as_of))?, ..Default::default() };

        let practice_code = |s: String| parse_with(path, "practice code", s, PracticeCode::parse);
        let network_code = |s: String| parse_with(path, "network code", s, NetworkCode::parse);
        let commissioner_code =
            |s: Option<String>| parse_opt_with(path, "commissioner code", s, CommissionerCode::parse);

        let rows: Vec<CommissionerRow> = sqlx::query_as(
            "SELECT code, name, ons_code, parent, parent_name, region, region_name FROM commissioners WHERE snapshot_id = $1 ORDER BY code",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        for CommissionerRow { code, name, ons_code, parent, parent_name, region, region_name } in rows {
            snap.commissioners.push(Commissioner {
                code: parse_with(path, "commissioner code", code, CommissionerCode::parse)?,
                name,
                ons_code,
                parent: parse_opt_with(path, "ICB code", parent, IcbCode::parse)?,
                parent_name,
                region: parse_opt_with(path, "region code", region, RegionCode::parse)?,
                region_name,
            });
        }

        let rows: Vec<PracticeRow> = sqlx::query_as(
            "SELECT code, name, postcode, status, prescribing_setting, open_date, close_date, commissioner, contract_type,
                    easting, northing, lat, lon, icb, clinical_system
             FROM practices WHERE snapshot_id = $1 ORDER BY code",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        for (code, name, postcode, status, setting, open, close, commissioner, contract, e, n, lat, lon, icb, system) in
            rows
        {
            let location = match (e, n, lat, lon) {
                (Some(easting), Some(northing), Some(lat), Some(lon)) => Some(Location { easting, northing, lat, lon }),
                _ => None,
            };
            snap.practices.push(Practice {
                code: practice_code(code)?,
                name,
                postcode,
                status: parse_with(path, "status", status, |s| PracticeStatus::parse(s).ok_or(()))?,
                prescribing_setting: setting.map(|s| s as u8),
                open_date: parse_date(path, open)?,
                close_date: parse_date(path, close)?,
                commissioner: commissioner_code(commissioner)?,
                contract_type: contract,
                location,
                icb: parse_opt_with(path, "ICB code", icb, IcbCode::parse)?,
                clinical_system: system,
            });
        }

        let rows: Vec<NetworkRow> = sqlx::query_as(
            "SELECT code, name, commissioner, open_date, close_date, postcode FROM networks WHERE snapshot_id = $1 ORDER BY code",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        for NetworkRow { code, name, commissioner, open_date: open, close_date: close, postcode } in rows {
            snap.networks.push(Network {
                code: network_code(code)?,
                name,
                commissioner: commissioner_code(commissioner)?,
                open_date: parse_date(path, open)?,
                close_date: parse_date(path, close)?,
                postcode,
            });
        }

        let rows: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT practice, network, start_date, end_date FROM memberships WHERE snapshot_id = $1 ORDER BY practice, network, start_date",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        for (practice, network, start, end) in rows {
            snap.memberships.push(Membership {
                practice: practice_code(practice)?,
                network: network_code(network)?,
                start: parse_date(path, start)?,
                end: parse_date(path, end)?,
            });
        }

        let rows: Vec<ListSizeRow> = sqlx::query_as(
            "SELECT practice, registered, weighted, as_of, source FROM list_sizes WHERE snapshot_id = $1 ORDER BY practice, source, as_of",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        for ListSizeRow { practice, registered, weighted, as_of, source } in rows {
            snap.list_sizes.push(ListSize {
                practice: practice_code(practice)?,
                registered: parse_decimal(path, registered)?,
                weighted: parse_decimal(path, weighted)?,
                as_of: parse_date(path, Some(as_of))?.expect("some"),
                source: parse_with(path, "list source", source, |s| ListSource::parse(s).ok_or(()))?,
            });
        }

        if include.registers {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT practice, registers FROM disease_registers WHERE snapshot_id = $1 ORDER BY practice",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            for (practice, json) in rows {
                let code = practice_code(practice)?;
                let items: Vec<(String, u32, String, u32)> = serde_json::from_str(&json).map_err(|_| {
                    StoreError::Corrupt { path: path.to_string(), what: format!("registers of {code}") }
                })?;
                for (group, register, list_type, list_size) in items {
                    snap.registers.push(DiseaseRegister {
                        practice: code.clone(),
                        group,
                        register,
                        list_type,
                        list_size,
                    });
                }
            }
        }

        if include.payments {
            type PayRow = (
                String,
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                String,
            );
            let rows: Vec<PayRow> = sqlx::query_as(
                "SELECT financial_year, practice, network, commissioner, contract_type, practice_type, rurality, dispensing,
                        close_date, registered, weighted, items
                 FROM practice_payments WHERE snapshot_id = $1 ORDER BY financial_year, practice",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            for (year, practice, network, commissioner, contract, ptype, rurality, dispensing, close, reg, wt, items) in
                rows
            {
                snap.payments.push(PracticePayments {
                    year: parse_with(path, "financial year", year, FinancialYear::parse)?,
                    practice: practice_code(practice)?,
                    network: parse_opt_with(path, "network code", network, NetworkCode::parse)?,
                    commissioner: commissioner_code(commissioner)?,
                    contract_type: contract,
                    practice_type: ptype,
                    rurality,
                    dispensing,
                    close_date: parse_date(path, close)?,
                    registered_patients: parse_decimal(path, reg)?,
                    weighted_patients: parse_decimal(path, wt)?,
                    items: items_of(path, &items)?,
                });
            }
            let rows: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
                "SELECT financial_year, network, commissioner, items
                 FROM network_payments WHERE snapshot_id = $1 ORDER BY financial_year, network",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            for (year, network, commissioner, items) in rows {
                snap.network_payments.push(NetworkPayments {
                    year: parse_with(path, "financial year", year, FinancialYear::parse)?,
                    network: network_code(network)?,
                    commissioner: commissioner_code(commissioner)?,
                    items: items_of(path, &items)?,
                });
            }
        }

        if include.workforce {
            type WorkforceRow = (
                String,
                String,
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                String,
                String,
                String,
                String,
                String,
            );
            let rows: Vec<WorkforceRow> = sqlx::query_as(
                "SELECT census, data_source, network, commissioner, icb, region, staff_group, staff_role, detailed_role,
                        fte, unique_identifier
                 FROM workforce WHERE snapshot_id = $1 ORDER BY census, seq",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            for (census, source, network, commissioner, icb, region, group, role, detailed, fte, uid) in rows {
                snap.workforce.push(WorkforceRecord {
                    census: parse_date(path, Some(census))?.expect("some"),
                    data_source: source,
                    network: network_code(network)?,
                    commissioner: commissioner_code(commissioner)?,
                    icb: parse_opt_with(path, "ICB code", icb, IcbCode::parse)?,
                    region: parse_opt_with(path, "region code", region, RegionCode::parse)?,
                    staff_group: group,
                    staff_role: role,
                    detailed_role: detailed,
                    fte: parse_decimal(path, Some(fte))?.expect("some"),
                    unique_identifier: uid,
                });
            }
        }

        if include.lsoas {
            type LsoaRow = (
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<i64>,
                Option<i64>,
                Option<f64>,
                Option<f64>,
                Option<String>,
            );
            let rows: Vec<LsoaRow> = sqlx::query_as(
                "SELECT code, name, ruc_code, ruc_name, imd_decile, imd_income_decile, lon, lat, commissioner
                 FROM lsoas WHERE snapshot_id = $1 ORDER BY code",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            for (code, name, ruc_code, ruc_name, imd, imd_income, lon, lat, commissioner) in rows {
                snap.lsoas.push(Lsoa {
                    code,
                    name,
                    ruc_code,
                    ruc_name,
                    imd_decile: imd.map(|d| d as u8),
                    imd_income_decile: imd_income.map(|d| d as u8),
                    centroid: lon.zip(lat).map(|(lon, lat)| LonLat { lon, lat }),
                    commissioner: commissioner_code(commissioner)?,
                });
            }
        }

        // Care homes are few (about 15,000 in England): always loaded.
        type CareHomeRow = (
            String,
            String,
            Option<String>,
            i64,
            i64,
            Option<String>,
            Option<f64>,
            Option<f64>,
            Option<f64>,
            Option<f64>,
        );
        let rows: Vec<CareHomeRow> = sqlx::query_as(
            "SELECT location_id, name, postcode, beds, nursing, local_authority, easting, northing, lat, lon
             FROM care_homes WHERE snapshot_id = $1 ORDER BY location_id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        for (location_id, name, postcode, beds, nursing, local_authority, e, n, lat, lon) in rows {
            let beds = u32::try_from(beds).map_err(|_| StoreError::Corrupt {
                path: path.to_string(),
                what: format!("beds of care home {location_id}"),
            })?;
            snap.care_homes.push(CareHome {
                location_id,
                name,
                postcode,
                beds,
                nursing: nursing != 0,
                local_authority,
                location: match (e, n, lat, lon) {
                    (Some(easting), Some(northing), Some(lat), Some(lon)) => {
                        Some(Location { easting, northing, lat, lon })
                    }
                    _ => None,
                },
            });
        }

        if include.boundaries {
            let rows: Vec<BoundaryRow> = sqlx::query_as(
                "SELECT ons_code, commissioner, name, geometry FROM boundaries WHERE snapshot_id = $1 ORDER BY seq",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            for BoundaryRow { ons_code, commissioner, name, geometry: geometry_json } in rows {
                snap.boundaries.push(Boundary {
                    ons_code,
                    commissioner: commissioner_code(commissioner)?,
                    name,
                    geometry_json,
                });
            }
        }
        Ok(snap)
    }
}

/// Payment items as stored (published column name to pence).
fn items_of(path: &str, json: &str) -> Result<BTreeMap<String, Money>> {
    let items: BTreeMap<String, i64> = serde_json::from_str(json)
        .map_err(|_| StoreError::Corrupt { path: path.to_string(), what: "payment items".into() })?;
    Ok(items.into_iter().map(|(k, v)| (k, Money::from_pence(v))).collect())
}
