//! Writing a snapshot: one transaction, multi-row INSERTs in chunks that stay
//! under both backends' bound-parameter limits (SQLite 32,766; PostgreSQL 65,535).

use std::collections::BTreeMap;

use pcn_core::{PracticeCode, Snapshot};
use sqlx::AnyConnection;

use crate::codec::date_text;
use crate::{Result, Saved, SourceRecord, Store};

const MAX_PARAMS: usize = 30_000;

/// A value bound to a statement; `Any` needs concrete types.
pub(crate) enum Val {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::Int(v)
    }
}
impl From<Option<f64>> for Val {
    fn from(v: Option<f64>) -> Self {
        Val::Real(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_string()))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}

pub(crate) fn bind<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    v: Val,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    match v {
        Val::Int(x) => q.bind(x),
        Val::Real(x) => q.bind(x),
        Val::Text(x) => q.bind(x),
    }
}

/// `INSERT INTO table (cols) VALUES ($1, $2, ...), (...)` in chunks. SQLite
/// gets anonymous `?` placeholders: it looks each named one up among those
/// before it, which is quadratic in a 30,000-parameter statement.
pub(crate) async fn insert<T>(
    conn: &mut AnyConnection,
    backend: crate::Backend,
    table: &str,
    cols: &[&str],
    rows: &[T],
    values: impl Fn(&T) -> Vec<Val>,
) -> Result<()> {
    let per = (MAX_PARAMS / cols.len()).max(1);
    for chunk in rows.chunks(per) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 0;
        for (r, _) in chunk.iter().enumerate() {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..cols.len() {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                match backend {
                    crate::Backend::Sqlite => sql.push('?'),
                    crate::Backend::Postgres => sql.push_str(&format!("${n}")),
                }
            }
            sql.push(')');
        }
        // Built from our own table and column names and numbered placeholders only.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            let vals = values(row);
            debug_assert_eq!(vals.len(), cols.len(), "{table}: one value per column");
            for v in vals {
                q = bind(q, v);
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

impl Store {
    /// Stores a snapshot unless one with the same content hash exists.
    pub async fn save_snapshot(
        &self,
        snap: &Snapshot,
        sources: &[SourceRecord],
        content_hash: &str,
        imported_at: &str,
    ) -> Result<Saved> {
        let mut tx = self.pool.begin().await?;
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM snapshots WHERE content_hash = $1")
            .bind(content_hash)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(id) = existing {
            tx.rollback().await?;
            return Ok(Saved::AlreadyPresent(id));
        }
        let as_of = snap.as_of.expect("an assembled snapshot has a date").to_string();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO snapshots (as_of, content_hash, imported_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(as_of)
        .bind(content_hash)
        .bind(imported_at)
        .fetch_one(&mut *tx)
        .await?;
        let c = &mut *tx;
        let backend = self.backend;

        let sources: Vec<(usize, &SourceRecord)> = sources.iter().enumerate().collect();
        insert(
            c,
            backend,
            "snapshot_sources",
            &["snapshot_id", "path", "kind", "sha256", "bytes", "records", "seq"],
            &sources,
            |(i, s)| {
                vec![
                    Val::from(id),
                    Val::from(s.path.clone()),
                    Val::from(s.kind.clone()),
                    Val::from(s.sha256.clone()),
                    Val::from(s.bytes as i64),
                    Val::from(s.records as i64),
                    Val::from(*i as i64),
                ]
            },
        )
        .await?;

        insert(
            c,
            backend,
            "commissioners",
            &["snapshot_id", "code", "name", "ons_code", "parent", "parent_name", "region", "region_name"],
            &snap.commissioners,
            |x| {
                vec![
                    Val::from(id),
                    Val::from(x.code.to_string()),
                    Val::from(x.name.clone()),
                    Val::from(x.ons_code.clone()),
                    Val::from(x.parent.as_ref().map(|p| p.to_string())),
                    Val::from(x.parent_name.clone()),
                    Val::from(x.region.as_ref().map(|r| r.to_string())),
                    Val::from(x.region_name.clone()),
                ]
            },
        )
        .await?;

        insert(
            c,
            backend,
            "practices",
            &[
                "snapshot_id",
                "code",
                "name",
                "postcode",
                "status",
                "prescribing_setting",
                "open_date",
                "close_date",
                "commissioner",
                "contract_type",
                "easting",
                "northing",
                "lat",
                "lon",
                "icb",
                "clinical_system",
            ],
            &snap.practices,
            |p| {
                vec![
                    Val::from(id),
                    Val::from(p.code.to_string()),
                    Val::from(p.name.clone()),
                    Val::from(p.postcode.clone()),
                    Val::from(p.status.as_str()),
                    Val::from(p.prescribing_setting.map(i64::from)),
                    Val::from(date_text(p.open_date)),
                    Val::from(date_text(p.close_date)),
                    Val::from(p.commissioner.as_ref().map(|c| c.to_string())),
                    Val::from(p.contract_type.clone()),
                    Val::from(p.location.map(|l| l.easting)),
                    Val::from(p.location.map(|l| l.northing)),
                    Val::from(p.location.map(|l| l.lat)),
                    Val::from(p.location.map(|l| l.lon)),
                    Val::from(p.icb.as_ref().map(|c| c.to_string())),
                    Val::from(p.clinical_system.clone()),
                ]
            },
        )
        .await?;

        insert(
            c,
            backend,
            "networks",
            &["snapshot_id", "code", "name", "commissioner", "open_date", "close_date", "postcode"],
            &snap.networks,
            |n| {
                vec![
                    Val::from(id),
                    Val::from(n.code.to_string()),
                    Val::from(n.name.clone()),
                    Val::from(n.commissioner.as_ref().map(|c| c.to_string())),
                    Val::from(date_text(n.open_date)),
                    Val::from(date_text(n.close_date)),
                    Val::from(n.postcode.clone()),
                ]
            },
        )
        .await?;

        insert(
            c,
            backend,
            "memberships",
            &["snapshot_id", "practice", "network", "start_date", "end_date"],
            &snap.memberships,
            |m| {
                vec![
                    Val::from(id),
                    Val::from(m.practice.to_string()),
                    Val::from(m.network.to_string()),
                    Val::from(date_text(m.start)),
                    Val::from(date_text(m.end)),
                ]
            },
        )
        .await?;

        insert(
            c,
            backend,
            "list_sizes",
            &["snapshot_id", "practice", "registered", "weighted", "as_of", "source"],
            &snap.list_sizes,
            |l| {
                vec![
                    Val::from(id),
                    Val::from(l.practice.to_string()),
                    Val::from(l.registered.map(|d| d.to_string())),
                    Val::from(l.weighted.map(|d| d.to_string())),
                    Val::from(l.as_of.to_string()),
                    Val::from(l.source.as_str()),
                ]
            },
        )
        .await?;

        let mut by_practice: BTreeMap<&PracticeCode, Vec<serde_json::Value>> = BTreeMap::new();
        for r in &snap.registers {
            by_practice.entry(&r.practice).or_default().push(serde_json::json!([
                r.group,
                r.register,
                r.list_type,
                r.list_size
            ]));
        }
        let registers: Vec<(&PracticeCode, String)> =
            by_practice.into_iter().map(|(p, v)| (p, serde_json::Value::Array(v).to_string())).collect();
        insert(c, backend, "disease_registers", &["snapshot_id", "practice", "registers"], &registers, |(p, json)| {
            vec![Val::from(id), Val::from(p.to_string()), Val::from(json.clone())]
        })
        .await?;

        insert(
            c,
            backend,
            "practice_payments",
            &[
                "snapshot_id",
                "financial_year",
                "practice",
                "network",
                "commissioner",
                "contract_type",
                "practice_type",
                "rurality",
                "dispensing",
                "close_date",
                "registered",
                "weighted",
                "items",
            ],
            &snap.payments,
            |p| {
                vec![
                    Val::from(id),
                    Val::from(p.year.to_string()),
                    Val::from(p.practice.to_string()),
                    Val::from(p.network.as_ref().map(|n| n.to_string())),
                    Val::from(p.commissioner.as_ref().map(|n| n.to_string())),
                    Val::from(p.contract_type.clone()),
                    Val::from(p.practice_type.clone()),
                    Val::from(p.rurality.clone()),
                    Val::from(p.dispensing.clone()),
                    Val::from(date_text(p.close_date)),
                    Val::from(p.registered_patients.map(|d| d.to_string())),
                    Val::from(p.weighted_patients.map(|d| d.to_string())),
                    Val::from(items_json(&p.items)),
                ]
            },
        )
        .await?;

        insert(
            c,
            backend,
            "lsoas",
            &[
                "snapshot_id",
                "code",
                "name",
                "ruc_code",
                "ruc_name",
                "imd_decile",
                "imd_income_decile",
                "lon",
                "lat",
                "commissioner",
            ],
            &snap.lsoas,
            |l| {
                vec![
                    Val::from(id),
                    Val::from(l.code.clone()),
                    Val::from(l.name.clone()),
                    Val::from(l.ruc_code.clone()),
                    Val::from(l.ruc_name.clone()),
                    Val::from(l.imd_decile.map(i64::from)),
                    Val::from(l.imd_income_decile.map(i64::from)),
                    Val::from(l.centroid.map(|c| c.lon)),
                    Val::from(l.centroid.map(|c| c.lat)),
                    Val::from(l.commissioner.as_ref().map(|c| c.to_string())),
                ]
            },
        )
        .await?;

        insert(
            c,
            backend,
            "boundaries",
            &["snapshot_id", "ons_code", "commissioner", "name", "geometry", "seq"],
            &snap.boundaries.iter().enumerate().collect::<Vec<_>>(),
            |(i, x)| {
                vec![
                    Val::from(id),
                    Val::from(x.ons_code.clone()),
                    Val::from(x.commissioner.as_ref().map(|c| c.to_string())),
                    Val::from(x.name.clone()),
                    Val::from(x.geometry_json.clone()),
                    Val::from(*i as i64),
                ]
            },
        )
        .await?;

        insert(
            c,
            backend,
            "care_homes",
            &[
                "snapshot_id",
                "location_id",
                "name",
                "postcode",
                "beds",
                "nursing",
                "local_authority",
                "easting",
                "northing",
                "lat",
                "lon",
            ],
            &snap.care_homes,
            |h| {
                vec![
                    Val::from(id),
                    Val::from(h.location_id.clone()),
                    Val::from(h.name.clone()),
                    Val::from(h.postcode.clone()),
                    Val::from(i64::from(h.beds)),
                    Val::from(i64::from(h.nursing)),
                    Val::from(h.local_authority.clone()),
                    Val::from(h.location.map(|l| l.easting)),
                    Val::from(h.location.map(|l| l.northing)),
                    Val::from(h.location.map(|l| l.lat)),
                    Val::from(h.location.map(|l| l.lon)),
                ]
            },
        )
        .await?;

        insert(
            c,
            backend,
            "network_payments",
            &["snapshot_id", "financial_year", "network", "commissioner", "items"],
            &snap.network_payments,
            |p| {
                vec![
                    Val::from(id),
                    Val::from(p.year.to_string()),
                    Val::from(p.network.to_string()),
                    Val::from(p.commissioner.as_ref().map(|c| c.to_string())),
                    Val::from(items_json(&p.items)),
                ]
            },
        )
        .await?;

        insert(
            c,
            backend,
            "workforce",
            &[
                "snapshot_id",
                "census",
                "seq",
                "data_source",
                "network",
                "commissioner",
                "icb",
                "region",
                "staff_group",
                "staff_role",
                "detailed_role",
                "fte",
                "unique_identifier",
            ],
            &snap.workforce.iter().enumerate().collect::<Vec<_>>(),
            |(i, w)| {
                vec![
                    Val::from(id),
                    Val::from(w.census.to_string()),
                    Val::from(*i as i64),
                    Val::from(w.data_source.clone()),
                    Val::from(w.network.to_string()),
                    Val::from(w.commissioner.as_ref().map(|c| c.to_string())),
                    Val::from(w.icb.as_ref().map(|c| c.to_string())),
                    Val::from(w.region.as_ref().map(|c| c.to_string())),
                    Val::from(w.staff_group.clone()),
                    Val::from(w.staff_role.clone()),
                    Val::from(w.detailed_role.clone()),
                    Val::from(w.fte.to_string()),
                    Val::from(w.unique_identifier.clone()),
                ]
            },
        )
        .await?;

        crate::register::pause_in_transaction("import").await;
        tx.commit().await?;
        Ok(Saved::New(id))
    }
}

/// Payment items as stored: a JSON object of published column name to pence.
fn items_json(items: &BTreeMap<String, pcn_core::Money>) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        items.iter().map(|(k, v)| (k.clone(), serde_json::Value::from(v.pence()))).collect();
    serde_json::Value::Object(map).to_string()
}
