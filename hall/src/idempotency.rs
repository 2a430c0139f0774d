//! Exactly-once intake, the order that keeps it: a request with an `Idempotency-Key` is
//! looked up *first*, before any check against the catalog, the date or the hall's own wire
//! types. A stored key with the same body answers the stored result, whatever has changed
//! since; a stored key with another body is a 409; only a new key is validated.
//!
//! The body's keyed hash (MAC) is over a canonical form of the JSON the client sent, not over
//! the hall's re-serialisation of its parsed types: the body parsed as generic JSON and
//! written back compactly with every object's keys sorted (strings, numbers, `true`/`false`/
//! `null` as serde_json writes them). It does not depend on which fields this version of the
//! hall knows or defaults, so a retry after a hall upgrade still replays, and whitespace or key
//! order a client library changes does not matter. Keys stored by earlier versions (a MAC over
//! the re-serialised request) are still recognised: see [`legacy_mac`].

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use zeroize::{Zeroize, Zeroizing};

use crate::crypto::Secrets;
use crate::error::{ApiError, HallError};
use crate::extract::ApiJson;
use crate::state::AppState;

/// A JSON body held as a generic value until the idempotency key has been looked up. Its
/// strings are wiped when it is dropped (they carry personal data).
#[derive(Debug)]
pub struct RawJson(pub Value);

impl Drop for RawJson {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

fn wipe(v: &mut Value) {
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => map.values_mut().for_each(wipe),
        _ => {}
    }
}

impl<S: Send + Sync> FromRequest<S> for RawJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        // The same 400/413/415 answers as every other JSON body.
        let ApiJson(v) = ApiJson::<Value>::from_request(req, state).await?;
        Ok(RawJson(v))
    }
}

impl RawJson {
    /// The body as the hall's wire type; 400 with the error body if it does not fit.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        T::deserialize(&self.0).map_err(|e| {
            ApiError::bad_request(
                hall_api::error::ErrorCode::MalformedBody,
                format!("the JSON body does not fit the schema: {e}"),
            )
        })
    }

    /// The canonical form (see the module notes).
    pub fn canonical(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        write_canonical(&self.0, &mut out);
        out
    }

    /// The MAC of the canonical form for a request kind (`application`, `complaint`, …).
    pub fn mac(&self, secrets: &Secrets, kind: &str) -> [u8; 32] {
        secrets.mac(&format!("{kind}-body/canonical-json"), &[&self.canonical()])
    }
}

fn write_canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(&Value::String(k.clone()), out);
                out.push(b':');
                if let Some(item) = map.get(k) {
                    write_canonical(item, out);
                }
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => write_scalar(scalar, out),
    }
}

fn write_scalar(v: &Value, out: &mut Vec<u8>) {
    // Writing a scalar JSON value into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, v);
}

/// The MAC earlier hall versions stored: over serde_json's re-serialisation of the parsed
/// request, under the purpose `<kind>-body`.
pub fn legacy_mac<T: Serialize>(secrets: &Secrets, kind: &str, req: &T) -> Option<[u8; 32]> {
    let bytes = Zeroizing::new(serde_json::to_vec(req).ok()?);
    Some(secrets.mac(&format!("{kind}-body"), &[&bytes]))
}

/// What the store knows about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prior {
    /// Never seen: validate and store.
    New,
    /// Seen with this body: answer the stored resource (by id).
    Replay(String),
    /// Seen with another body.
    Conflict,
}

/// Looks `key` up for `kiosk` and `kind`. `legacy` computes the MAC an earlier version would
/// have stored (only called when the canonical MAC does not match).
pub async fn prior(
    state: &AppState,
    kiosk: &str,
    kind: &'static str,
    key: &str,
    mac: &[u8; 32],
    legacy: impl FnOnce() -> Option<[u8; 32]>,
) -> Result<Prior, HallError> {
    let Some((stored, id)) = state.store.idempotency(kiosk, kind, key).await? else {
        return Ok(Prior::New);
    };
    if crate::crypto::constant_time_eq(&stored, mac) {
        return Ok(Prior::Replay(id));
    }
    match legacy() {
        Some(old) if crate::crypto::constant_time_eq(&stored, &old) => Ok(Prior::Replay(id)),
        _ => Ok(Prior::Conflict),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_form_ignores_key_order_and_whitespace_but_not_content() {
        let a = RawJson(serde_json::from_str(r#"{"b": [1, {"y":2,"x":"é"}], "a": null}"#).unwrap());
        let b = RawJson(serde_json::from_str(r#"{"a":null,"b":[1,{"x":"é","y":2}]}"#).unwrap());
        let c = RawJson(serde_json::from_str(r#"{"a":null,"b":[{"x":"é","y":2},1]}"#).unwrap());
        assert_eq!(*a.canonical(), *b.canonical());
        assert_eq!(
            String::from_utf8(a.canonical().to_vec()).unwrap(),
            r#"{"a":null,"b":[1,{"x":"é","y":2}]}"#
        );
        assert_ne!(*a.canonical(), *c.canonical());
        let s = Secrets::generate().unwrap();
        assert_eq!(a.mac(&s, "application"), b.mac(&s, "application"));
        assert_ne!(a.mac(&s, "application"), a.mac(&s, "complaint"));
    }
}
