//! Request extractors that turn every malformed input into the shared JSON error body: JSON
//! bodies, query strings, the `Idempotency-Key` header and the client address.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use hall_api::error::ErrorCode;
use serde::de::DeserializeOwned;

use std::sync::Arc;

use crate::error::ApiError;
use crate::net::PeerAddr;
use crate::state::AppState;

/// A JSON body; rejections become 400/413/415 with an error body.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(
            status,
            ErrorCode::PayloadTooLarge,
            "the body is larger than the hall accepts (64 KiB); send scans separately",
            "提交内容过大",
        );
    }
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send the body as `Content-Type: application/json`",
            "请求格式有误",
        ),
        other => ApiError::bad_request(
            ErrorCode::MalformedBody,
            format!(
                "the JSON body does not fit the schema: {}",
                other.body_text()
            ),
        ),
    }
}

/// A query string; rejections become 400 with an error body.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e @ QueryRejection::FailedToDeserializeQueryString(_)) => {
                Err(ApiError::bad_request(
                    ErrorCode::BadParameter,
                    format!("bad query string: {}", e.body_text()),
                ))
            }
            Err(e) => Err(ApiError::bad_request(
                ErrorCode::BadParameter,
                e.body_text(),
            )),
        }
    }
}

/// The `Idempotency-Key` header (8–64 characters of `[A-Za-z0-9_-]`).
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let key = parts
            .headers
            .get(hall_api::IDEMPOTENCY_KEY_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|k| hall_api::is_valid_idempotency_key(k));
        match key {
            Some(k) => Ok(IdempotencyKey(k.to_owned())),
            None => Err(ApiError::bad_request(
                ErrorCode::MissingIdempotencyKey,
                "send an `Idempotency-Key` header of 8-64 characters [A-Za-z0-9_-] (a UUID), the same on every retry",
            )),
        }
    }
}

/// The client's address: the peer, or behind a trusted proxy the address it forwarded
/// (see [`crate::net::client_address`]); unspecified when the service runs without connect
/// info (in-process tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<Arc<AppState>> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_of(
            &parts.extensions,
            &parts.headers,
            &state.settings.trusted_proxies,
        )))
    }
}

/// The client address of a request (see [`ClientAddr`]).
pub fn client_of(
    extensions: &axum::http::Extensions,
    headers: &axum::http::HeaderMap,
    trusted: &[crate::net::Cidr],
) -> IpAddr {
    let peer = extensions
        .get::<ConnectInfo<PeerAddr>>()
        .map(|c| c.0 .0.ip())
        .or_else(|| {
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        })
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    crate::net::client_address(peer, headers, trusted)
}
