//! The register's members in force on a date, as the rows of the ePCN
//! workbook's "PCN Core Partner Details" sheet.

use std::collections::BTreeMap;

use pcn_core::register::RecordKind;
use pcn_nhs::write::CorePartner;
use pcn_store::register::{RegNetwork, RegisterState};
use pcn_store::{Include, Store, StoreError};
use time::Date;

/// Practice name and commissioner, by practice code.
pub type PracticeNames = BTreeMap<String, (Option<String>, Option<String>)>;

/// The core-partner rows of the register on `as_of`, with the practices'
/// names and commissioners from the latest snapshot (the register keeps
/// neither; without a snapshot they are left empty).
pub async fn core_partners(store: &Store, as_of: Date) -> Result<Vec<CorePartner>, StoreError> {
    let state = store.register_state(as_of).await?;
    let names: PracticeNames = match store.latest_snapshot().await {
        Ok(id) => store
            .load_snapshot(id, Include::default())
            .await?
            .practices
            .into_iter()
            .map(|p| (p.code.to_string(), (p.name, p.commissioner.map(|c| c.to_string()))))
            .collect(),
        Err(StoreError::Empty) => BTreeMap::new(),
        Err(e) => return Err(e),
    };
    Ok(rows(&state, &names))
}

/// The register's members in force as core-partner rows.
pub fn rows(st: &RegisterState, names: &PracticeNames) -> Vec<CorePartner> {
    let nets: BTreeMap<&str, &RegNetwork> = st.networks.iter().map(|n| (n.code.as_str(), n)).collect();
    st.records
        .iter()
        .filter(|r| r.kind == RecordKind::Member)
        .map(|r| {
            let n = nets.get(r.network.as_str());
            let (pname, pcomm) = names.get(&r.subject).cloned().unwrap_or_default();
            CorePartner {
                practice: r.subject.clone(),
                practice_name: pname.unwrap_or_default(),
                practice_commissioner: pcomm.unwrap_or_default(),
                practice_commissioner_name: String::new(),
                network: r.network.to_string(),
                network_name: n.and_then(|n| n.name.clone()).unwrap_or_default(),
                network_commissioner: n.and_then(|n| n.commissioner.clone()).unwrap_or_default(),
                network_commissioner_name: String::new(),
                start: Some(r.valid_from),
                end: r.valid_to,
            }
        })
        .collect()
}
