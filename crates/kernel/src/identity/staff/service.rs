//! Staff use cases: sign-in (the password check with throttling and lock-out, then the
//! session), roles, disabling and invitations; each change one transaction with its audit entry.

use super::{LOCKOUT_MS, Login, MAX_FAILURES, StaffError, StaffUser, store};
use crate::audit::{self, Actor, Event, Origin};
use crate::db::Db;
use crate::i18n::Locale;
use crate::identity::{Role, password, roles_to_string, session};
use crate::notify;

/// Checks a password, counting failures and locking the account after `MAX_FAILURES` in a row.
pub async fn attempt_login(db: &Db, email: &str, password: &str) -> sqlx::Result<Login> {
    let now = crate::now_ms();
    let Some(user) = store::by_email(db, email).await? else {
        password::verify_async(password.to_string(), password::DUMMY_HASH.clone()).await;
        return Ok(Login::Rejected);
    };
    if let Some(until) = user.locked_until.filter(|u| *u > now) {
        return Ok(Login::Locked { until });
    }
    let Some(hash) = user.password_hash.clone() else {
        password::verify_async(password.to_string(), password::DUMMY_HASH.clone()).await;
        return Ok(Login::Rejected);
    };
    let ok = password::verify_async(password.to_string(), hash).await;
    if ok && user.status == "disabled" {
        return Ok(Login::Disabled);
    }
    if ok && user.status == "active" {
        store::clear_failures(db, &user.id).await?;
        return Ok(Login::Ok(user));
    }
    let lock_ms = (LOCKOUT_MS << user.lockouts.min(6)).min(24 * 3600 * 1000);
    let failures = store::record_failure(db, &user.id, MAX_FAILURES, now + lock_ms).await?;
    if failures >= MAX_FAILURES {
        store::reset_failures(db, &user.id).await?;
        return Ok(Login::NowLocked { user_id: user.id, until: now + lock_ms });
    }
    Ok(Login::Rejected)
}

/// Starts a session for a staff member who signed in, with its audit entry, in one
/// transaction. Returns the session token.
pub async fn start_session(db: &Db, user_id: &str, origin: &Origin) -> sqlx::Result<String> {
    let mut tx = db.begin().await?;
    let token = session::create(&mut tx, "staff", user_id, &origin.ip).await?;
    audit::record(db, &mut tx, &Actor::Staff(user_id.to_string()), origin, Event::new("staff.login", "staff", user_id))
        .await?;
    tx.commit().await?;
    Ok(token)
}

/// Gives an account these roles, audited. False when there is no such account. When the new
/// roles need two-step sign-in and the account has none, its sessions end (it enrols at its
/// next sign-in).
pub async fn change_roles(db: &Db, actor: &Actor, origin: &Origin, id: &str, roles: &[Role]) -> sqlx::Result<bool> {
    let needs_enrolment = super::mfa::rules::required(roles) && !super::mfa::service::enrolled(db, id).await?;
    let mut tx = db.begin().await?;
    if !store::set_roles(&mut tx, id, roles).await? {
        return Ok(false);
    }
    if needs_enrolment {
        session::destroy_all_for(&mut tx, id).await?;
    }
    let detail = roles_to_string(roles);
    audit::record(db, &mut tx, actor, origin, Event::new("staff.roles", "staff", id).detail(&detail)).await?;
    tx.commit().await?;
    Ok(true)
}

/// Sets where a member of staff works, audited. False when there is no such account.
pub async fn change_scopes(db: &Db, actor: &Actor, origin: &Origin, id: &str, scopes: &[String]) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    if !store::set_scopes(&mut tx, id, scopes).await? {
        return Ok(false);
    }
    let detail = scopes.join(",");
    audit::record(db, &mut tx, actor, origin, Event::new("staff.scopes", "staff", id).detail(&detail)).await?;
    tx.commit().await?;
    Ok(true)
}

/// Disables (ending its sessions) or re-enables an account, audited. False when there is no
/// such account.
pub async fn change_status(db: &Db, actor: &Actor, origin: &Origin, id: &str, disable: bool) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    if !store::set_disabled(&mut tx, id, disable).await? {
        return Ok(false);
    }
    let action = if disable { "staff.disable" } else { "staff.enable" };
    audit::record(db, &mut tx, actor, origin, Event::new(action, "staff", id)).await?;
    tx.commit().await?;
    Ok(true)
}

/// Sets the password of an invited account from its invitation token, audited. `None` when the
/// invitation is not live.
pub async fn set_invited_password(
    db: &Db,
    origin: &Origin,
    token: &str,
    password_hash: &str,
) -> sqlx::Result<Option<StaffUser>> {
    let mut tx = db.begin().await?;
    let Some(user) = store::accept_invite(&mut tx, token, password_hash).await? else { return Ok(None) };
    audit::record(
        db,
        &mut tx,
        &Actor::Staff(user.id.clone()),
        origin,
        Event::new("staff.password_set", "staff", &user.id),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(user))
}

/// A staff member to invite.
pub struct Invite<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub roles: &'a [Role],
    /// The language of the invitation e-mail.
    pub locale: Locale,
    /// Where the invitation link points (see `Config::base_url`).
    pub base_url: &'a str,
}

/// Creates an invited account and queues its invitation e-mail, audited, in one transaction.
/// `None` when an account with this e-mail already exists.
pub async fn invite(db: &Db, actor: &Actor, origin: &Origin, i: &Invite<'_>) -> anyhow::Result<Option<StaffUser>> {
    let mut tx = db.begin().await?;
    let (user, token) = match store::create(&mut tx, i.email, i.display_name, i.roles, None).await {
        Ok((user, Some(token))) => (user, token),
        Ok((_, None)) => anyhow::bail!("invited account without token"),
        Err(StaffError::Exists) => {
            tx.rollback().await?;
            return Ok(None);
        }
        Err(StaffError::Db(e)) => return Err(e.into()),
    };
    let link = format!("{}/staff/invite/{token}", i.base_url);
    notify::enqueue(
        &mut tx,
        &notify::Message {
            channel: notify::Channel::Email,
            recipient: &user.email,
            locale: i.locale,
            template: "staff-invite",
            values: &[("name", &user.display_name), ("link", &link)],
        },
    )
    .await?;
    let detail = roles_to_string(i.roles);
    audit::record(db, &mut tx, actor, origin, Event::new("staff.invite", "staff", &user.id).detail(&detail)).await?;
    tx.commit().await?;
    Ok(Some(user))
}
