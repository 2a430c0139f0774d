//! A staff member changes their own password (`/staff/password`). A password printed by
//! `hall staff add` or `hall staff passwd` must be replaced at the first sign-in: until then
//! the [`super::auth::Signed`] extractor sends every other page here and refuses every other
//! POST. The new password needs [`MIN_LENGTH`] characters, must differ from the current one
//! and be typed twice; the current one is checked like a sign-in (failures count towards the
//! lockout).

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use maud::{html, Markup};
use zeroize::Zeroizing;

use super::auth::{self, Signed, SESSION_COOKIE};
use super::pages::{field, frame, html, signed_form, Fields};
use super::views;
use crate::error::{ApiError, HallError};
use crate::state::AppState;
use crate::store::staff::AuditEntry;

/// Fewest characters of a chosen password.
pub const MIN_LENGTH: usize = 12;
/// Most bytes accepted (Argon2 hashes any length; this bounds the work).
const MAX_BYTES: usize = 256;

/// What is wrong with a new password, in Chinese; `None` if it may be used.
pub fn check_new(current: &str, new: &str, confirm: &str) -> Option<&'static str> {
    if new.chars().count() < MIN_LENGTH {
        Some("新密码至少需要 12 个字符。")
    } else if new.len() > MAX_BYTES {
        Some("新密码过长（最多 256 字节）。")
    } else if new.trim() != new {
        Some("新密码的开头和结尾不能是空格。")
    } else if new == current {
        Some("新密码不能与当前密码相同。")
    } else if new != confirm {
        Some("两次输入的新密码不一致。")
    } else {
        None
    }
}

fn form(signed: &Signed, message: Option<&str>) -> Markup {
    let first = signed.account().must_change_password;
    html! {
        div.card.login {
            h2 { "修改密码" }
            @if first {
                div.notice.warn role="alert" {
                    "您正在使用管理员设置的初始密码。请先设置自己的新密码，然后才能使用工作台。"
                }
            }
            @if let Some(m) = message {
                div.notice.bad role="alert" id="message" { (m) }
            }
            form method="post" action=(auth::PASSWORD_PAGE) {
                input type="hidden" name="csrf" value=(signed.session.csrf);
                label for="current" { "当前密码" }
                input id="current" type="password" name="current" autocomplete="current-password" maxlength="256" required;
                label for="new" { "新密码（至少 12 个字符，不能与当前密码相同）" }
                input id="new" type="password" name="new" autocomplete="new-password" minlength="12" maxlength="256" required;
                label for="confirm" { "再次输入新密码" }
                input id="confirm" type="password" name="confirm" autocomplete="new-password" minlength="12" maxlength="256" required;
                button type="submit" { "保存新密码" }
            }
        }
    }
}

fn page(state: &AppState, signed: &Signed, status: StatusCode, message: Option<&str>) -> Response {
    let f = frame(state, signed, "修改密码", None);
    html(status, views::page(&f, form(signed, message)))
}

/// `GET /staff/password`.
pub async fn show(State(state): State<Arc<AppState>>, signed: Signed) -> Response {
    page(&state, &signed, StatusCode::OK, None)
}

/// `POST /staff/password`: checks the current password, then stores the new one.
pub async fn change(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, ApiError> {
    let form = match signed_form(&signed, form) {
        Ok(f) => f,
        Err(r) => return Ok(r.into_response()),
    };
    let text = |name: &str| Zeroizing::new(field(&form, name).unwrap_or("").to_owned());
    let (current, new, confirm) = (text("current"), text("new"), text("confirm"));
    let name = signed.account().name.clone();
    if current.is_empty() || current.len() > MAX_BYTES {
        return Ok(page(
            &state,
            &signed,
            StatusCode::BAD_REQUEST,
            Some("请输入当前密码。"),
        ));
    }
    let hash = signed.account().password_hash.clone();
    let pw = current.clone();
    let good = tokio::task::spawn_blocking(move || auth::verify_password(&hash, &pw))
        .await
        .map_err(|e| HallError::Internal(format!("password check: {e}")))?;
    if !good {
        let s = &state.staff.settings;
        let locked = state
            .store
            .staff_sign_in_failed(&name, Utc::now(), s.max_failures, s.lockout)
            .await?;
        tracing::info!(staff = %name, locked = locked.is_some(), "password change refused: wrong current password");
        if let Some(until) = locked {
            state.store.close_staff_session(signed.token_hash).await?;
            let cookie = auth::clear_cookie(SESSION_COOKIE, state.staff.settings.secure_cookies);
            let text = format!(
                "当前密码错误次数过多，账号已锁定至 {}，请稍后重新登录。",
                views::local(until)
            );
            return Ok((
                StatusCode::FORBIDDEN,
                [(header::SET_COOKIE, cookie)],
                views::message(None, "账号已锁定", &text, Some("/staff/login")),
            )
                .into_response());
        }
        return Ok(page(
            &state,
            &signed,
            StatusCode::UNAUTHORIZED,
            Some("当前密码不正确。"),
        ));
    }
    if let Some(problem) = check_new(&current, &new, &confirm) {
        return Ok(page(
            &state,
            &signed,
            StatusCode::BAD_REQUEST,
            Some(problem),
        ));
    }
    let pw = new.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&pw))
        .await
        .map_err(|e| HallError::Internal(format!("hashing task: {e}")))??;
    state
        .store
        .choose_staff_password(&name, hash, signed.token_hash)
        .await?;
    state
        .store
        .audit(AuditEntry {
            at: Utc::now(),
            staff: name.clone(),
            action: "password-changed".into(),
            application_id: None,
            detail: None,
        })
        .await?;
    tracing::info!(staff = %name, "staff password changed");
    Ok(Redirect::to("/staff/").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_password_is_long_new_and_confirmed() {
        let old = "ABCDE-FGHJK-MNPQR";
        assert!(check_new(old, "short", "short").is_some());
        assert!(check_new(old, old, old).is_some(), "the same as before");
        assert!(check_new(old, "县政务服务中心2026年度", "县政务服务中心2026年度x").is_some());
        assert!(check_new(old, " padded-password ", " padded-password ").is_some());
        assert!(check_new(old, &"x".repeat(300), &"x".repeat(300)).is_some());
        assert_eq!(
            check_new(old, "县政务服务中心2026年度", "县政务服务中心2026年度"),
            None
        );
        assert_eq!(
            check_new(old, "correct horse battery", "correct horse battery"),
            None
        );
    }
}
