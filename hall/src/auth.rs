//! Credentials: `<id>.<secret>` where the secret is 32 random bytes in hex, stored only as its
//! SHA-256. Kiosks, operators and staff each have their own; extractors check them per route
//! and a short cache keeps the database out of the hot path of heartbeats. A revocation
//! (`hall kiosk revoke`, from another process) bumps a generation in the database; the
//! running hall checks it every `watch_interval` (1 s) and then drops the whole cache, so a
//! revoked credential is refused within a second, not after the 30 s cache lifetime.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use zeroize::Zeroizing;

use crate::crypto::{constant_time_eq, random_bytes, sha256};
use crate::error::{ApiError, HallError};
use crate::state::AppState;
use crate::store::{Principal, PrincipalKind};

const CACHE_TTL: Duration = Duration::from_secs(30);

/// Recently verified credentials: (kind, id) → (secret hash, label, when looked up).
#[derive(Debug, Default)]
pub struct CredentialCache {
    entries: Mutex<HashMap<(PrincipalKind, String), (Principal, Instant)>>,
}

impl CredentialCache {
    /// Forgets every verified credential (a credential was revoked).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

/// A new credential: what is stored, and the text printed once for the owner.
#[derive(Debug)]
pub struct IssuedCredential {
    /// The record to store.
    pub principal: Principal,
    /// `<id>.<secret>`, shown once.
    pub token: Zeroizing<String>,
}

/// Makes a fresh credential for `id`.
pub fn issue(kind: PrincipalKind, id: &str, label: &str) -> Result<IssuedCredential, HallError> {
    let secret = Zeroizing::new(hex::encode(random_bytes::<32>()?));
    Ok(IssuedCredential {
        principal: Principal {
            id: id.to_owned(),
            kind,
            label: label.to_owned(),
            secret_hash: sha256(secret.as_bytes()),
        },
        token: Zeroizing::new(format!("{id}.{}", secret.as_str())),
    })
}

/// Splits `Authorization: Bearer id.secret` or `Basic base64(id:secret)`.
fn presented(parts: &Parts) -> Option<(String, Zeroizing<String>)> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    let text = if scheme.eq_ignore_ascii_case("bearer") {
        Zeroizing::new(rest.trim().to_owned())
    } else if scheme.eq_ignore_ascii_case("basic") {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()?;
        let s = Zeroizing::new(String::from_utf8(bytes).ok()?);
        Zeroizing::new(s.replacen(':', ".", 1))
    } else {
        return None;
    };
    let (id, secret) = text.split_once('.')?;
    if !hall_api::is_valid_principal_id(id) || secret.len() != 64 {
        return None;
    }
    Some((id.to_owned(), Zeroizing::new(secret.to_owned())))
}

async fn verify(
    state: &AppState,
    parts: &Parts,
    kind: PrincipalKind,
) -> Result<Principal, ApiError> {
    let Some((id, secret)) = presented(parts) else {
        return Err(ApiError::unauthorized(format!(
            "send `Authorization: Bearer <id>.<secret>` with a {} credential",
            kind.as_str()
        )));
    };
    let key = (kind, id.clone());
    let cached = {
        let cache = state
            .credentials
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        cache
            .get(&key)
            .filter(|(_, at)| at.elapsed() < CACHE_TTL)
            .map(|(p, _)| p.clone())
    };
    let principal = match cached {
        Some(p) => Some(p),
        None => {
            let p = state.store.principal(kind, &id).await?;
            if let Some(p) = &p {
                let mut cache = state
                    .credentials
                    .entries
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                if cache.len() > 10_000 {
                    cache.clear();
                }
                cache.insert(key, (p.clone(), Instant::now()));
            }
            p
        }
    };
    let hash = sha256(secret.as_bytes());
    match principal {
        Some(p) if constant_time_eq(&p.secret_hash, &hash) => Ok(p),
        _ => {
            tracing::info!(kind = kind.as_str(), id = %id, "credential refused");
            Err(ApiError::unauthorized(format!(
                "the {} credential is unknown or wrong; issue one with `hall {} add`",
                kind.as_str(),
                kind.as_str()
            )))
        }
    }
}

/// A request from a registered kiosk.
#[derive(Debug, Clone)]
pub struct Kiosk(pub Principal);

/// A request that may come from a kiosk (ratings also arrive from citizens' phones).
#[derive(Debug, Clone)]
pub struct MaybeKiosk(pub Option<Principal>);

/// A request from an operator.
#[derive(Debug, Clone)]
pub struct Operator(pub Principal);

/// A request from hall staff.
#[derive(Debug, Clone)]
pub struct Staff(pub Principal);

/// A request from a partner place's hall (跨省通办); its id is the partner's code.
#[derive(Debug, Clone)]
pub struct PartnerHall(pub Principal);

impl FromRequestParts<Arc<AppState>> for PartnerHall {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        verify(state, parts, PrincipalKind::Partner)
            .await
            .map(PartnerHall)
    }
}

impl FromRequestParts<Arc<AppState>> for Kiosk {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        verify(state, parts, PrincipalKind::Kiosk).await.map(Kiosk)
    }
}

impl FromRequestParts<Arc<AppState>> for MaybeKiosk {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            verify(state, parts, PrincipalKind::Kiosk)
                .await
                .map(|p| MaybeKiosk(Some(p)))
        } else {
            Ok(MaybeKiosk(None))
        }
    }
}

impl FromRequestParts<Arc<AppState>> for Staff {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        verify(state, parts, PrincipalKind::Staff).await.map(Staff)
    }
}

/// The operator's rejection asks browsers for Basic credentials, so the dashboard can be
/// opened in a plain browser.
#[derive(Debug)]
pub struct OperatorRejection(ApiError);

impl IntoResponse for OperatorRejection {
    fn into_response(self) -> Response {
        let unauthorized = self.0.status == axum::http::StatusCode::UNAUTHORIZED;
        let mut r = self.0.into_response();
        if unauthorized {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"hall operators\", charset=\"UTF-8\""),
            );
        }
        r
    }
}

impl FromRequestParts<Arc<AppState>> for Operator {
    type Rejection = OperatorRejection;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, OperatorRejection> {
        verify(state, parts, PrincipalKind::Operator)
            .await
            .map(Operator)
            .map_err(OperatorRejection)
    }
}
