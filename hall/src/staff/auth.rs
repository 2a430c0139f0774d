//! Signing staff in: Argon2id password hashes, a session cookie (HttpOnly, SameSite=Strict,
//! Secure when the hall is served over TLS) whose SHA-256 is the key of a row in the
//! database, idle sign-out, a per-session CSRF token every POST must carry, and a lockout
//! after repeated failures. Accounts are created by `hall staff add NAME --role ROLE`.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use zeroize::Zeroizing;

use crate::crypto::{constant_time_eq, encode_base32, random_bytes, sha256};
use crate::error::HallError;
use crate::state::AppState;
use crate::store::staff::{Role, StaffAccount, StaffSession};
use crate::store::Store;

/// The session cookie.
pub const SESSION_COOKIE: &str = "hall_staff";
/// The sign-in form's double-submit cookie (there is no session yet to bind a token to).
pub const LOGIN_COOKIE: &str = "hall_staff_login";

/// Hashes a password with Argon2id (the crate's default parameters, a random salt).
pub fn hash_password(password: &str) -> Result<String, HallError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| HallError::Crypto(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HallError::Crypto(format!("argon2: {e}")))
}

/// Whether `password` matches the stored PHC string (false for a malformed one).
pub fn verify_password(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash of a random password, checked against when the account does not exist (so an
/// unknown name costs as much as a wrong password). Computed once.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        new_password()
            .ok()
            .and_then(|p| hash_password(&p).ok())
            .unwrap_or_default()
    })
}

/// A first password: 15 characters of the tracking-code alphabet in three groups (75 bits).
pub fn new_password() -> Result<Zeroizing<String>, HallError> {
    let raw = Zeroizing::new(encode_base32(&random_bytes::<10>()?, 15));
    Ok(Zeroizing::new(format!(
        "{}-{}-{}",
        &raw[..5],
        &raw[5..10],
        &raw[10..]
    )))
}

/// A random token for a cookie or a CSRF field (256 bits, hex).
pub fn new_token() -> Result<String, HallError> {
    Ok(hex::encode(random_bytes::<32>()?))
}

/// Creates or replaces a workbench account and returns its first password (shown once).
pub async fn add_account(
    store: &dyn Store,
    name: &str,
    role: Role,
    departments: &[String],
    display: &str,
) -> Result<Zeroizing<String>, HallError> {
    if !hall_api::is_valid_principal_id(name) {
        return Err(HallError::InvalidArgument(format!(
            "name {name:?} must be 1-64 characters of [a-z0-9-], not starting with '-'"
        )));
    }
    match (role, departments.is_empty()) {
        (Role::Reviewer, true) => {
            return Err(HallError::InvalidArgument(
                "a reviewer needs at least one --department CODE".into(),
            ))
        }
        (Role::Reviewer, false) => {}
        (_, false) => {
            return Err(HallError::InvalidArgument(format!(
                "--department is for reviewers only; the {} role sees every department",
                role.as_str()
            )))
        }
        (_, true) => {}
    }
    let password = new_password()?;
    let hash = {
        let p = password.clone();
        tokio::task::spawn_blocking(move || hash_password(&p))
            .await
            .map_err(|e| HallError::Internal(format!("hashing task: {e}")))??
    };
    store
        .put_staff_account(StaffAccount {
            name: name.to_owned(),
            display: if display.is_empty() { name } else { display }.to_owned(),
            role,
            departments: departments.to_vec(),
            password_hash: hash,
            failed_sign_ins: 0,
            locked_until: None,
            revoked: false,
            must_change_password: true,
        })
        .await?;
    Ok(password)
}

/// Sets a fresh password for an account and returns it (shown once).
pub async fn reset_password(store: &dyn Store, name: &str) -> Result<Zeroizing<String>, HallError> {
    let password = new_password()?;
    let p = password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&p))
        .await
        .map_err(|e| HallError::Internal(format!("hashing task: {e}")))??;
    if store.set_staff_password(name, hash).await? {
        Ok(password)
    } else {
        Err(HallError::InvalidArgument(format!(
            "no staff account {name:?}; create it with `hall staff add {name} --role ROLE`"
        )))
    }
}

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value for the workbench's path.
pub fn set_cookie(name: &str, value: &str, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/staff; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    )
}

/// A `Set-Cookie` value that removes a cookie.
pub fn clear_cookie(name: &str, secure: bool) -> String {
    format!("{}; Max-Age=0", set_cookie(name, "", secure))
}

/// Whether a submitted CSRF token matches the expected one.
pub fn csrf_ok(expected: &str, submitted: Option<&str>) -> bool {
    submitted.is_some_and(|s| {
        !expected.is_empty() && constant_time_eq(s.as_bytes(), expected.as_bytes())
    })
}

/// A request from a signed-in staff member.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The live session.
    pub session: StaffSession,
    /// SHA-256 of the cookie's token (to end the session).
    pub token_hash: [u8; 32],
}

impl Signed {
    /// The account.
    pub fn account(&self) -> &StaffAccount {
        &self.session.account
    }
}

/// The page where a staff member changes their own password.
pub const PASSWORD_PAGE: &str = "/staff/password";

/// Not signed in (or signed out for idleness): back to the sign-in page.
#[derive(Debug)]
pub enum NotSignedIn {
    /// No or an unknown session.
    Redirect,
    /// Signed in with a password set by an administrator: a page other than the password
    /// page was asked for (a GET goes there, anything else is refused).
    MustChangePassword {
        /// Whether the request was a GET (or HEAD).
        read: bool,
    },
    /// The store failed.
    Failed(crate::error::ApiError),
}

impl IntoResponse for NotSignedIn {
    fn into_response(self) -> Response {
        match self {
            NotSignedIn::Redirect => Redirect::to("/staff/login").into_response(),
            NotSignedIn::MustChangePassword { read: true } => {
                Redirect::to(PASSWORD_PAGE).into_response()
            }
            NotSignedIn::MustChangePassword { read: false } => (
                axum::http::StatusCode::FORBIDDEN,
                super::views::message(
                    None,
                    "请先修改密码",
                    "您正在使用管理员设置的初始密码，请先设置自己的新密码，再进行其他操作。",
                    Some(PASSWORD_PAGE),
                ),
            )
                .into_response(),
            NotSignedIn::Failed(e) => e.into_response(),
        }
    }
}

/// Whether a path still works before a first password has been replaced: the password page
/// itself and signing out.
fn allowed_before_password_change(path: &str) -> bool {
    path == PASSWORD_PAGE || path == "/staff/logout"
}

impl FromRequestParts<Arc<AppState>> for Signed {
    type Rejection = NotSignedIn;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, NotSignedIn> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(NotSignedIn::Redirect);
        };
        if token.len() != 64 {
            return Err(NotSignedIn::Redirect);
        }
        let token_hash = sha256(token.as_bytes());
        let idle = state.staff.settings.idle;
        match state
            .store
            .staff_session(token_hash, Utc::now(), idle)
            .await
        {
            Ok(Some(session))
                if session.account.must_change_password
                    && !allowed_before_password_change(parts.uri.path()) =>
            {
                let read = matches!(
                    parts.method,
                    axum::http::Method::GET | axum::http::Method::HEAD
                );
                tracing::info!(staff = %session.account.name, read, "workbench request held until the first password is changed");
                Err(NotSignedIn::MustChangePassword { read })
            }
            Ok(Some(session)) => Ok(Signed {
                session,
                token_hash,
            }),
            Ok(None) => Err(NotSignedIn::Redirect),
            Err(e) => Err(NotSignedIn::Failed(e.into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_hash_and_nothing_else() {
        let pw = new_password().unwrap();
        assert_eq!(pw.len(), 17);
        let hash = hash_password(&pw).unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains(pw.as_str()));
        assert!(verify_password(&hash, &pw));
        assert!(!verify_password(&hash, "wrong"));
        assert!(!verify_password("not a hash", &pw));
        assert_ne!(*new_password().unwrap(), *pw);
    }

    #[test]
    fn cookies_are_read_from_any_header_and_set_strictly() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, "a=1; hall_staff=abc".parse().unwrap());
        h.append(header::COOKIE, "b=2".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "b"), Some("2"));
        assert_eq!(cookie(&h, "c"), None);
        let set = set_cookie(SESSION_COOKIE, "t", true);
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.ends_with("Secure")
        );
        assert!(!set_cookie(SESSION_COOKIE, "t", false).contains("Secure"));
        assert!(clear_cookie(SESSION_COOKIE, false).contains("Max-Age=0"));
    }

    #[test]
    fn csrf_needs_the_exact_token() {
        assert!(csrf_ok("abc", Some("abc")));
        assert!(!csrf_ok("abc", Some("abd")));
        assert!(!csrf_ok("abc", None));
        assert!(!csrf_ok("", Some("")));
    }
}
