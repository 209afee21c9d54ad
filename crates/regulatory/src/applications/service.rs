//! Applications' use cases, one transaction each (with its audit entry, outbox messages and,
//! on submission, the start of the process that handles it).

use axum::http::StatusCode;
use chrono::Datelike;
use kernel::AppState;
use kernel::audit::{Actor, Event, Origin};
use kernel::db::Tx;
use kernel::notify::{self, Message};

use super::payment::Provider;
use super::rules::{self, Facts, Problem};
use super::{Application, Document, Form, store};
use crate::licence_types::{self, LicenceType};
use crate::licences::rules as lic;

pub use crate::errors::AppError;

/// An application of `account`, or not found (an account sees only its own).
pub async fn mine(db: &kernel::Db, account: &str, case_ref: &str) -> Result<Application, AppError> {
    store::by_ref(db, case_ref).await?.filter(|a| a.account == account).ok_or(AppError::NotFound)
}

async fn licence_type(db: &kernel::Db, code: &str) -> Result<LicenceType, AppError> {
    licence_types::store::get(db, code)
        .await?
        .ok_or(AppError::Refused("unknown_licence_type", StatusCode::UNPROCESSABLE_ENTITY))
}

async fn audit(
    db: &kernel::Db,
    tx: &mut Tx,
    actor: &Actor,
    origin: &Origin,
    action: &str,
    a: &Application,
) -> anyhow::Result<()> {
    kernel::audit::record(db, tx, actor, origin, Event::new(action, "reg_application", &a.id).detail(&a.case_ref))
        .await?;
    Ok(())
}

/// Starts a draft application of `type_code` for `account`.
pub async fn start_draft(
    db: &kernel::Db,
    account: &str,
    type_code: &str,
    origin: &Origin,
) -> Result<Application, AppError> {
    licence_type(db, type_code).await?;
    let now = kernel::now_ms();
    let a = Application {
        id: kernel::new_id(),
        case_ref: lic::new_case_ref(kernel::hk::today().year()),
        kind: "new".into(),
        type_code: type_code.into(),
        account: account.into(),
        licence_id: None,
        status: "draft".into(),
        data: serde_json::to_string(&Form { licensee_kind: "company".into(), ..Form::default() }).unwrap_or_default(),
        fee_cents: 0,
        payment_ref: None,
        paid_at: None,
        waiting_for: None,
        created_at: now,
        submitted_at: None,
        decided_at: None,
        updated_at: now,
        revision: 1,
        process_seq: 0,
    };
    let mut tx = db.begin().await?;
    store::insert(&mut tx, &a).await?;
    audit(db, &mut tx, &Actor::Citizen(account.into()), origin, "regulatory.application.start", &a).await?;
    tx.commit().await?;
    Ok(a)
}

/// Saves a draft's answers (nothing is checked yet: a draft may be incomplete).
pub async fn save(
    db: &kernel::Db,
    account: &str,
    case_ref: &str,
    form: &Form,
    origin: &Origin,
) -> Result<Application, AppError> {
    let a = mine(db, account, case_ref).await?;
    if !a.is_draft() {
        return Err(AppError::Refused("application_submitted", StatusCode::CONFLICT));
    }
    let next = Application {
        data: serde_json::to_string(form).unwrap_or_default(),
        updated_at: kernel::now_ms(),
        ..a.clone()
    };
    let mut tx = db.begin().await?;
    if !store::update(&mut tx, &next, a.revision).await? {
        return Err(AppError::Refused("application_changed", StatusCode::CONFLICT));
    }
    audit(db, &mut tx, &Actor::Citizen(account.into()), origin, "regulatory.application.save", &a).await?;
    tx.commit().await?;
    Ok(next)
}

/// Uploads a document for `requirement` (replacing an earlier one): the file is checked (type
/// by content, size), stored in the kernel file store, and read with OCR when it is the
/// responsible person's certificate.
pub async fn upload(
    state: &AppState,
    account: &str,
    case_ref: &str,
    requirement: &str,
    name: &str,
    bytes: bytes::Bytes,
    origin: &Origin,
) -> Result<Document, AppError> {
    use sha2::Digest;
    let db = &state.db;
    let a = mine(db, account, case_ref).await?;
    if !a.is_draft() && a.status != "info_requested" {
        return Err(AppError::Refused("application_submitted", StatusCode::CONFLICT));
    }
    let t = licence_type(db, &a.type_code).await?;
    let req = t
        .definition
        .documents
        .iter()
        .find(|d| d.code == requirement)
        .ok_or(AppError::Refused("unknown_requirement", StatusCode::UNPROCESSABLE_ENTITY))?;
    let files = kernel::files::FileStore::of(state)?;
    let (file_name, media_type) = kernel::files::rules::check(name, &bytes, files.max_bytes).map_err(AppError::File)?;
    let (ocr_status, ocr_text) = if req.responsible_certificate {
        match super::ocr::read(&bytes, media_type).await {
            super::ocr::Reading::Text(text) => {
                let f = a.form();
                let pro = match &t.definition.register {
                    Some(r) => crate::premises::store::professional(db, r, f.responsible_number.trim()).await?,
                    None => None,
                };
                let (en, zh) =
                    pro.map(|p| (p.name_en, p.name_zh)).unwrap_or((f.responsible_name.clone(), String::new()));
                let ok = rules::certificate_matches(&text, &en, &zh, f.responsible_number.trim());
                (if ok { "matched" } else { "not_matched" }, Some(text.chars().take(4000).collect()))
            }
            super::ocr::Reading::Unreadable => ("unreadable", None),
            super::ocr::Reading::NotChecked => ("not_checked", None),
        }
    } else {
        ("not_checked", None)
    };
    let d = Document {
        id: kernel::new_id(),
        application_id: a.id.clone(),
        requirement: requirement.into(),
        file_key: kernel::files::FileStore::new_key("regulatory"),
        file_name,
        media_type: media_type.into(),
        size_bytes: bytes.len() as i64,
        sha256: hex::encode(sha2::Sha256::digest(&bytes)),
        ocr_status: ocr_status.into(),
        ocr_text,
        uploaded_at: kernel::now_ms(),
    };
    files.put(&d.file_key, bytes).await?;
    let written: Result<Vec<String>, AppError> = async {
        let mut tx = db.begin().await?;
        let old = store::replace_documents(&mut tx, &a.id, requirement).await?;
        store::insert_document(&mut tx, &d).await?;
        kernel::audit::record(
            db,
            &mut tx,
            &Actor::Citizen(account.into()),
            origin,
            Event::new("regulatory.application.upload", "reg_application", &a.id).detail(requirement),
        )
        .await?;
        tx.commit().await?;
        Ok(old)
    }
    .await;
    match written {
        Ok(old) => {
            for k in old {
                let _ = files.delete(&k).await;
            }
            Ok(d)
        }
        Err(e) => {
            let _ = files.delete(&d.file_key).await;
            Err(e)
        }
    }
}

/// What the checks need, read from the database.
pub async fn facts(db: &kernel::Db, a: &Application, t: &LicenceType) -> Result<Facts, AppError> {
    let f = a.form();
    let docs = store::documents(db, &a.id).await?;
    let number = f.responsible_number.trim();
    let (professional, elsewhere) = match (&t.definition.register, number.is_empty()) {
        (Some(r), false) => (
            crate::premises::store::professional(db, r, number).await?,
            crate::licences::store::responsible_elsewhere(db, r, number, a.licence_id.as_deref()).await?,
        ),
        _ => (None, None),
    };
    let cert = t.definition.documents.iter().find(|d| d.responsible_certificate).map(|d| d.code.clone());
    let certificate_reading =
        cert.and_then(|c| docs.iter().rev().find(|d| d.requirement == c).map(|d| d.ocr_status.clone()));
    Ok(Facts {
        professional,
        responsible_elsewhere: elsewhere,
        documents: docs.into_iter().map(|d| d.requirement).collect(),
        certificate_reading,
    })
}

/// Every problem that stops the application from being submitted now.
pub async fn problems(db: &kernel::Db, a: &Application) -> Result<Vec<Problem>, AppError> {
    let t = licence_type(db, &a.type_code).await?;
    let facts = facts(db, a, &t).await?;
    Ok(rules::check(&t, &a.kind, &a.form(), &facts, kernel::hk::today()))
}

/// Checks, charges the fee through `provider` and submits: the application, its premises and
/// the start of its process are written in one transaction; the applicant is told.
pub async fn submit(
    state: &AppState,
    account: &str,
    case_ref: &str,
    provider: &dyn Provider,
    origin: &Origin,
) -> Result<Application, AppError> {
    let db = &state.db;
    let a = mine(db, account, case_ref).await?;
    if !a.is_draft() {
        return Err(AppError::Refused("application_submitted", StatusCode::CONFLICT));
    }
    let t = licence_type(db, &a.type_code).await?;
    let problems = problems(db, &a).await?;
    if !problems.is_empty() {
        return Err(AppError::Incomplete(problems));
    }
    let (_, fee) = t.fees_for(&a.kind);
    let receipt = provider
        .charge(&a.case_ref, fee)
        .map_err(|_| AppError::Refused("payment_declined", StatusCode::PAYMENT_REQUIRED))?;
    let now = kernel::now_ms();
    let f = a.form();
    let next = Application {
        status: "submitted".into(),
        fee_cents: fee,
        payment_ref: Some(format!("{}:{}", receipt.provider, receipt.reference)),
        paid_at: Some(now),
        submitted_at: Some(now),
        updated_at: now,
        ..a.clone()
    };
    let mut tx = db.begin().await?;
    if !store::update(&mut tx, &next, a.revision).await? {
        return Err(AppError::Refused("application_changed", StatusCode::CONFLICT));
    }
    kernel::process::start(
        &mut tx,
        &kernel::process::StartProcess {
            process: t.definition.process.clone(),
            business_key: a.case_ref.clone(),
            variables: serde_json::json!({
                "case_ref": a.case_ref,
                "licence_type": a.type_code,
                "district": f.district,
                "premises": if f.premises_name_en.is_empty() { &f.premises_name_zh } else { &f.premises_name_en },
            }),
            started_by: account.into(),
        },
    )
    .await?;
    audit(db, &mut tx, &Actor::Citizen(account.into()), origin, "regulatory.application.submit", &a).await?;
    tell(state, &mut tx, &next, "regulatory-application-received", &[]).await?;
    tx.commit().await?;
    Ok(next)
}

/// The applicant answers a request for information: the process moves on (its clock resumes).
pub async fn answer(
    state: &AppState,
    account: &str,
    case_ref: &str,
    text: &str,
    origin: &Origin,
) -> Result<Application, AppError> {
    let db = &state.db;
    let a = mine(db, account, case_ref).await?;
    if a.status != "info_requested" {
        return Err(AppError::Refused("no_information_requested", StatusCode::CONFLICT));
    }
    if text.trim().is_empty() {
        return Err(AppError::Incomplete(vec![Problem { field: "answer".into(), code: "answer_missing".into() }]));
    }
    let t = licence_type(db, &a.type_code).await?;
    let next = Application { status: "screening".into(), waiting_for: None, updated_at: kernel::now_ms(), ..a.clone() };
    let mut tx = db.begin().await?;
    if !store::update(&mut tx, &next, a.revision).await? {
        return Err(AppError::Refused("application_changed", StatusCode::CONFLICT));
    }
    kernel::process::message(
        &mut tx,
        &kernel::process::ProcessMessage {
            process: t.definition.process.clone(),
            business_key: a.case_ref.clone(),
            message: "info_received".into(),
            variables: serde_json::json!({ "complete": true, "answer": text.trim() }),
        },
    )
    .await?;
    audit(db, &mut tx, &Actor::Citizen(account.into()), origin, "regulatory.application.answer", &a).await?;
    tx.commit().await?;
    Ok(next)
}

/// Tells the applicant about their application (outbox, in their language).
pub async fn tell(
    state: &AppState,
    tx: &mut Tx,
    a: &Application,
    template: &str,
    extra: &[(&str, &str)],
) -> anyhow::Result<()> {
    let Some(c) = kernel::people::contact_in_tx(tx, &a.account, &a.account).await? else { return Ok(()) };
    let link = format!("{}/licensing/applications/{}", state.config.base_url(), a.case_ref);
    let mut values: Vec<(&str, &str)> = vec![("name", &c.name), ("reference", &a.case_ref), ("link", &link)];
    values.extend_from_slice(extra);
    let msg = Message { channel: c.channel, recipient: &c.recipient, locale: c.locale, template, values: &values };
    notify::enqueue(tx, &msg).await?;
    Ok(())
}

/// Records that a member of staff read an application (it holds personal data).
pub async fn staff_read(db: &kernel::Db, actor: &Actor, origin: &Origin, a: &Application) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    audit(db, &mut tx, actor, origin, "regulatory.application.read", a).await?;
    tx.commit().await?;
    Ok(())
}

/// An uploaded document's bytes, for staff (audited).
pub async fn document(
    state: &AppState,
    actor: &Actor,
    origin: &Origin,
    id: &str,
) -> Result<(Document, bytes::Bytes), AppError> {
    let db = &state.db;
    let d = store::document(db, id).await?.ok_or(AppError::NotFound)?;
    let files = kernel::files::FileStore::of(state)?;
    let bytes = files.get(&d.file_key).await?;
    let mut tx = db.begin().await?;
    kernel::audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("regulatory.document.read", "reg_application_document", &d.id),
    )
    .await?;
    tx.commit().await?;
    Ok((d, bytes))
}
