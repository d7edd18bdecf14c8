//! Writing a snapshot: one transaction, multi-row INSERTs in chunks that stay
//! under SQLite's bound-parameter limit.

use std::collections::BTreeMap;

use pcn_core::{PracticeCode, Snapshot};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::codec::date_text;
use crate::{Result, Saved, SourceRecord, Store};

/// SQLite allows 32,766 bound parameters per statement.
const MAX_PARAMS: usize = 32_000;

async fn insert<T>(
    conn: &mut SqliteConnection,
    table: &str,
    cols: &[&str],
    rows: &[T],
    mut bind: impl FnMut(&mut sqlx::query_builder::Separated<'_, Sqlite, &'static str>, &T),
) -> Result<()> {
    let per = (MAX_PARAMS / cols.len()).max(1);
    for chunk in rows.chunks(per) {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(format!("INSERT INTO {table} ({}) ", cols.join(", ")));
        qb.push_values(chunk, |mut b, row| bind(&mut b, row));
        qb.build().execute(&mut *conn).await?;
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
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM snapshots WHERE content_hash = ?")
            .bind(content_hash)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(id) = existing {
            tx.rollback().await?;
            return Ok(Saved::AlreadyPresent(id));
        }
        let as_of = snap.as_of.expect("an assembled snapshot has a date").to_string();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO snapshots (as_of, content_hash, imported_at) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(as_of)
        .bind(content_hash)
        .bind(imported_at)
        .fetch_one(&mut *tx)
        .await?;
        let c = &mut *tx;

        insert(
            c,
            "snapshot_sources",
            &["snapshot_id", "path", "kind", "sha256", "bytes", "records"],
            sources,
            |b, s| {
                b.push_bind(id)
                    .push_bind(s.path.clone())
                    .push_bind(s.kind.clone())
                    .push_bind(s.sha256.clone())
                    .push_bind(s.bytes as i64)
                    .push_bind(s.records as i64);
            },
        )
        .await?;

        insert(
            c,
            "commissioners",
            &["snapshot_id", "code", "name", "ons_code", "parent", "parent_name", "region", "region_name"],
            &snap.commissioners,
            |b, x| {
                b.push_bind(id)
                    .push_bind(x.code.to_string())
                    .push_bind(x.name.clone())
                    .push_bind(x.ons_code.clone())
                    .push_bind(x.parent.as_ref().map(|p| p.to_string()))
                    .push_bind(x.parent_name.clone())
                    .push_bind(x.region.as_ref().map(|r| r.to_string()))
                    .push_bind(x.region_name.clone());
            },
        )
        .await?;

        insert(
            c,
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
            ],
            &snap.practices,
            |b, p| {
                b.push_bind(id)
                    .push_bind(p.code.to_string())
                    .push_bind(p.name.clone())
                    .push_bind(p.postcode.clone())
                    .push_bind(p.status.as_str())
                    .push_bind(p.prescribing_setting.map(i64::from))
                    .push_bind(date_text(p.open_date))
                    .push_bind(date_text(p.close_date))
                    .push_bind(p.commissioner.as_ref().map(|c| c.to_string()))
                    .push_bind(p.contract_type.clone())
                    .push_bind(p.location.map(|l| l.easting))
                    .push_bind(p.location.map(|l| l.northing))
                    .push_bind(p.location.map(|l| l.lat))
                    .push_bind(p.location.map(|l| l.lon));
            },
        )
        .await?;

        insert(
            c,
            "networks",
            &["snapshot_id", "code", "name", "commissioner", "open_date", "close_date", "postcode"],
            &snap.networks,
            |b, n| {
                b.push_bind(id)
                    .push_bind(n.code.to_string())
                    .push_bind(n.name.clone())
                    .push_bind(n.commissioner.as_ref().map(|c| c.to_string()))
                    .push_bind(date_text(n.open_date))
                    .push_bind(date_text(n.close_date))
                    .push_bind(n.postcode.clone());
            },
        )
        .await?;

        insert(
            c,
            "memberships",
            &["snapshot_id", "practice", "network", "start_date", "end_date"],
            &snap.memberships,
            |b, m| {
                b.push_bind(id)
                    .push_bind(m.practice.to_string())
                    .push_bind(m.network.to_string())
                    .push_bind(date_text(m.start))
                    .push_bind(date_text(m.end));
            },
        )
        .await?;

        insert(
            c,
            "list_sizes",
            &["snapshot_id", "practice", "registered", "weighted", "as_of", "source"],
            &snap.list_sizes,
            |b, l| {
                b.push_bind(id)
                    .push_bind(l.practice.to_string())
                    .push_bind(l.registered.map(|d| d.to_string()))
                    .push_bind(l.weighted.map(|d| d.to_string()))
                    .push_bind(l.as_of.to_string())
                    .push_bind(l.source.as_str());
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
        insert(c, "disease_registers", &["snapshot_id", "practice", "registers"], &registers, |b, (p, json)| {
            b.push_bind(id).push_bind(p.to_string()).push_bind(json.clone());
        })
        .await?;

        insert(
            c,
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
            |b, p| {
                let items: serde_json::Map<String, serde_json::Value> =
                    p.items.iter().map(|(k, v)| (k.clone(), serde_json::Value::from(v.pence()))).collect();
                b.push_bind(id)
                    .push_bind(p.year.to_string())
                    .push_bind(p.practice.to_string())
                    .push_bind(p.network.as_ref().map(|n| n.to_string()))
                    .push_bind(p.commissioner.as_ref().map(|n| n.to_string()))
                    .push_bind(p.contract_type.clone())
                    .push_bind(p.practice_type.clone())
                    .push_bind(p.rurality.clone())
                    .push_bind(p.dispensing.clone())
                    .push_bind(date_text(p.close_date))
                    .push_bind(p.registered_patients.map(|d| d.to_string()))
                    .push_bind(p.weighted_patients.map(|d| d.to_string()))
                    .push_bind(serde_json::Value::Object(items).to_string());
            },
        )
        .await?;

        insert(
            c,
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
            |b, l| {
                b.push_bind(id)
                    .push_bind(l.code.clone())
                    .push_bind(l.name.clone())
                    .push_bind(l.ruc_code.clone())
                    .push_bind(l.ruc_name.clone())
                    .push_bind(l.imd_decile.map(i64::from))
                    .push_bind(l.imd_income_decile.map(i64::from))
                    .push_bind(l.centroid.map(|c| c.lon))
                    .push_bind(l.centroid.map(|c| c.lat))
                    .push_bind(l.commissioner.as_ref().map(|c| c.to_string()));
            },
        )
        .await?;

        insert(
            c,
            "boundaries",
            &["snapshot_id", "ons_code", "commissioner", "name", "geometry"],
            &snap.boundaries,
            |b, x| {
                b.push_bind(id)
                    .push_bind(x.ons_code.clone())
                    .push_bind(x.commissioner.as_ref().map(|c| c.to_string()))
                    .push_bind(x.name.clone())
                    .push_bind(x.geometry_json.clone());
            },
        )
        .await?;

        tx.commit().await?;
        Ok(Saved::New(id))
    }
}
