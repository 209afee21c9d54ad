//! Online renewal by the licence holder: open from the renewal window before expiry and for
//! [`LATE_RENEWAL_DAYS`] after a lapse; the fee is charged through the payment adapter, the
//! licence runs on for another term, and the renewal is kept as an application of kind renew
//! (granted at once).

use axum::http::StatusCode;
use chrono::Duration;
use kernel::AppState;
use kernel::audit::{Actor, Origin};

use super::payment::Provider;
use crate::errors::AppError;
use crate::licences::rules::{self, Action};
use crate::licences::service as lic_svc;
use crate::licences::{Licence, store};

/// How many days after expiry a lapsed licence may still be renewed online.
pub const LATE_RENEWAL_DAYS: i64 = 30;

/// Whether the holder may renew `l` online on `today`.
pub fn renewable(l: &Licence, window_days: u32, today: chrono::NaiveDate) -> bool {
    let Ok(expires) = l.expires_on.parse::<chrono::NaiveDate>() else { return false };
    match l.status.as_str() {
        "active" => rules::renewal_open(expires, today, window_days),
        "lapsed" => today <= expires + Duration::days(LATE_RENEWAL_DAYS),
        _ => false,
    }
}

/// The holder renews online: the fee is charged through `provider`, the licence runs on for
/// another term, and the renewal is kept as an application of kind renew (granted).
pub async fn renew(
    state: &AppState,
    account: &str,
    number: &str,
    provider: &dyn Provider,
    origin: &Origin,
) -> Result<Licence, AppError> {
    let db = &state.db;
    let l = lic_svc::licence(db, number).await?;
    let mut tx = db.begin().await?;
    let holder = store::account_of(&mut tx, &l.id).await?;
    drop(tx);
    if holder.as_deref() != Some(account) {
        return Err(AppError::NotFound);
    }
    let t = crate::licence_types::store::get(db, &l.type_code).await?.ok_or(AppError::NotFound)?;
    let today = kernel::hk::today();
    if !renewable(&l, t.definition.renewal_window_days, today) {
        return Err(lic_svc::refused("renewal_not_open"));
    }
    let (_, fee) = t.fees_for("renew");
    let receipt = provider
        .charge(&l.number, fee)
        .map_err(|_| AppError::Refused("payment_declined", StatusCode::PAYMENT_REQUIRED))?;
    let expires: chrono::NaiveDate = l.expires_on.parse().map_err(|e| AppError::Other(anyhow::anyhow!("{e}")))?;
    let now = kernel::now_ms();
    let next = Licence {
        status: "active".into(),
        expires_on: rules::renewed_expiry(expires, today, t.definition.validity_months).to_string(),
        updated_at: now,
        ..l.clone()
    };
    let app = super::Application {
        id: kernel::new_id(),
        case_ref: rules::new_case_ref(chrono::Datelike::year(&today)),
        kind: "renew".into(),
        type_code: l.type_code.clone(),
        account: account.into(),
        licence_id: Some(l.id.clone()),
        status: "granted".into(),
        data: "{}".into(),
        fee_cents: fee,
        payment_ref: Some(format!("{}:{}", receipt.provider, receipt.reference)),
        paid_at: Some(now),
        waiting_for: None,
        created_at: now,
        submitted_at: Some(now),
        decided_at: Some(now),
        updated_at: now,
        revision: 1,
        process_seq: 0,
    };
    let mut tx = db.begin().await?;
    super::store::insert(&mut tx, &app).await?;
    let reason = format!("Renewed online ({})", app.case_ref);
    lic_svc::transition(
        state,
        &mut tx,
        &l,
        &next,
        Action::Renew,
        &reason,
        &t.ordinance,
        &Actor::Citizen(account.into()),
        origin,
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}
