//! One-touch phone reuse (issue 20). `POST /api/v1/citizen/contact` offers the phone number
//! from the citizen's latest application here, if that application consented to progress
//! notices (the consent is the basis for keeping and reusing the number; a later application
//! without it withdraws the offer). The kiosk gets the number masked and a token; it sends the
//! token as `CreateApplication::phone_token` and the hall fills the form's phone field from
//! its own record before validation. The full number never leaves the hall.
//!
//! The token is stateless: `<expiry, unix seconds, hex>.<HMAC, 32 hex>` with the MAC over the
//! keyed hash of the ID number, the kiosk id, a keyed hash of the phone and the expiry. No
//! table to write, clean or lose on restart; bound to the card on the reader (the applicant
//! of the application it is used in), to the kiosk that asked, and to the number that was
//! shown masked (a number changed since makes it fail, so the citizen never confirms one
//! number and gets another). It may be used any number of times until it expires (a retried
//! submission, a second application in the same visit); reuse gains nothing, since it only
//! ever fills the citizen's own number into the citizen's own application.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use hall_api::application::{CreateApplication, Subject};
use hall_api::catalog::Catalog;
use hall_api::contact::{ContactQuery, KnownContact, KnownPhone};
use hall_api::error::ErrorBody;
use hall_api::form::{FieldError, FieldErrorCode, FieldKind, FormValues};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::applications::audited_lookup;
use super::field_error;
use crate::auth::Kiosk;
use crate::crypto::{constant_time_eq, Secrets};
use crate::error::{ApiError, HallError};
use crate::extract::ApiJson;
use crate::notify::citizen::{form_of, phone_of};
use crate::state::AppState;

/// The parts of a sealed payload this needs; wiped when dropped.
#[derive(Deserialize)]
struct Opened {
    fields: FormValues,
}

impl Drop for Opened {
    fn drop(&mut self) {
        hall_api::application::wipe_values(&mut self.fields);
    }
}

/// The phone of the citizen's latest application, if it consented to notices.
async fn consented_phone(
    state: &AppState,
    applicant_key: [u8; 32],
) -> Result<Option<Zeroizing<String>>, HallError> {
    let Some((id, true)) = state.store.latest_consent(applicant_key).await? else {
        return Ok(None);
    };
    let (Some(rec), Some(sealed)) = (
        state.store.application(&id).await?,
        state.store.application_payload(&id).await?,
    ) else {
        return Err(HallError::Corrupt(format!(
            "application {id} or its payload missing"
        )));
    };
    let plain = Zeroizing::new(state.secrets.open(&id, &sealed)?);
    let opened: Opened = serde_json::from_slice(&plain)
        .map_err(|e| HallError::Corrupt(format!("payload of {id}: {e}")))?;
    let phone = phone_of(form_of(state, &rec).as_ref(), &opened.fields).map(Zeroizing::new);
    Ok(phone.filter(|p| hall_api::form::is_phone(p)))
}

fn token_mac(
    secrets: &Secrets,
    applicant_key: &[u8; 32],
    kiosk: &str,
    phone: &str,
    expires: i64,
) -> [u8; 32] {
    let phone_key = secrets.mac("phone-token-number", &[phone.as_bytes()]);
    secrets.mac(
        "phone-token",
        &[
            applicant_key,
            kiosk.as_bytes(),
            &phone_key,
            &expires.to_be_bytes(),
        ],
    )
}

/// A token for `phone`, valid for this applicant at this kiosk until `expires`.
pub fn phone_token(
    secrets: &Secrets,
    applicant_key: &[u8; 32],
    kiosk: &str,
    phone: &str,
    expires: DateTime<Utc>,
) -> String {
    let at = expires.timestamp();
    let mac = token_mac(secrets, applicant_key, kiosk, phone, at);
    format!("{at:x}.{}", hex::encode(&mac[..16]))
}

/// Whether `token` stands for `phone` for this applicant at this kiosk at `now`.
pub fn token_valid(
    secrets: &Secrets,
    applicant_key: &[u8; 32],
    kiosk: &str,
    phone: &str,
    token: &str,
    now: DateTime<Utc>,
) -> bool {
    let Some((at, mac)) = token.split_once('.') else {
        return false;
    };
    let (Ok(at), Ok(mac)) = (i64::from_str_radix(at, 16), hex::decode(mac)) else {
        return false;
    };
    let expected = token_mac(secrets, applicant_key, kiosk, phone, at);
    now.timestamp() < at && constant_time_eq(&mac, &expected[..16])
}

/// The phone the hall knows for the card on the reader (consented before), masked, with a
/// token for one-touch reuse. Limited per kiosk and audited like the other look-ups by ID
/// number.
#[utoipa::path(post, path = "/api/v1/citizen/contact", tag = "applications",
    request_body = ContactQuery,
    responses((status = 200, description = "The masked phone and its token, or `phone: null`", body = KnownContact),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "Too many look-ups by this kiosk; see Retry-After", body = ErrorBody),
        (status = 503, description = "Overloaded or timed out; see Retry-After", body = ErrorBody)),
    security(("kiosk" = [])))]
pub async fn known_contact(
    State(state): State<Arc<AppState>>,
    Kiosk(kiosk): Kiosk,
    ApiJson(q): ApiJson<ContactQuery>,
) -> Result<Json<KnownContact>, ApiError> {
    let key = audited_lookup(&state, &kiosk.id, "contact", &q.id_number).await?;
    let phone = consented_phone(&state, key).await?.map(|number| {
        let expires = Utc::now() + state.settings.phone_token_ttl;
        KnownPhone {
            masked: vocab::mask::mask_phone(&number),
            token: phone_token(&state.secrets, &key, &kiosk.id, &number, expires),
        }
    });
    tracing::info!(kiosk = %kiosk.id, offered = phone.is_some(), "known contact looked up");
    Ok(Json(KnownContact { phone }))
}

/// The key of the first phone field of the subject's form.
fn phone_key(catalog: &Catalog, subject: &Subject) -> Option<String> {
    let form = match subject {
        Subject::Item(code) => catalog.item(code)?.form.clone(),
        Subject::Bundle(code) => catalog.bundle_form(catalog.bundle(code)?),
    };
    form.fields
        .into_iter()
        .find(|f| matches!(f.kind, FieldKind::Phone))
        .map(|f| f.key)
}

/// Fills the form's phone field from a `phone_token`, before validation. `Ok(Some(error))`:
/// the token cannot be used (bad, expired, from another kiosk or card, the number changed or
/// consent was withdrawn since); the error is on the phone field so the kiosk asks the
/// citizen to type the number. An unknown subject is left to the usual checks.
pub(crate) async fn fill_phone(
    state: &AppState,
    kiosk: &str,
    req: &mut CreateApplication,
    catalog: &Catalog,
) -> Result<Option<FieldError>, ApiError> {
    // Taken out: it means nothing past this point (a forward to a partner hall carries the
    // filled-in number, sealed, never this hall's token).
    let Some(token) = req.phone_token.take() else {
        return Ok(None);
    };
    let Some(field) = phone_key(catalog, &req.subject) else {
        return Ok(None);
    };
    let key = state.secrets.applicant_key(&req.applicant.id_number);
    let phone = consented_phone(state, key).await?;
    match phone {
        Some(phone) if token_valid(&state.secrets, &key, kiosk, &phone, &token, Utc::now()) => {
            req.fields
                .insert(field, serde_json::Value::String(phone.as_str().to_owned()));
            Ok(None)
        }
        _ => {
            tracing::info!(kiosk = %kiosk, "a phone token was refused");
            Ok(Some(field_error(
                &field,
                FieldErrorCode::InvalidPhone,
                "已保存的电话号码无法使用，请重新输入联系电话",
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_token_holds_until_its_expiry_and_only_for_its_card_kiosk_and_number() {
        let s = Secrets::generate().unwrap_or_else(|e| panic!("{e}"));
        let card = s.applicant_key("11010519491231002X");
        let other_card = s.applicant_key("330102199003070019");
        let now = Utc::now();
        let expires = now + Duration::minutes(30);
        let t = phone_token(&s, &card, "k1", "13955557777", expires);
        assert!(!t.contains("13955557777") && !t.contains("5557777"));
        assert!(token_valid(&s, &card, "k1", "13955557777", &t, now));
        assert!(token_valid(
            &s,
            &card,
            "k1",
            "13955557777",
            &t,
            expires - Duration::seconds(1)
        ));
        assert!(!token_valid(&s, &card, "k1", "13955557777", &t, expires));
        assert!(!token_valid(&s, &card, "k2", "13955557777", &t, now));
        assert!(!token_valid(&s, &other_card, "k1", "13955557777", &t, now));
        assert!(!token_valid(&s, &card, "k1", "13900001111", &t, now));
        // A later expiry written into the token breaks its MAC.
        let (_, mac) = t.split_once('.').unwrap_or_default();
        let forged = format!("{:x}.{mac}", expires.timestamp() + 3600);
        assert!(!token_valid(&s, &card, "k1", "13955557777", &forged, now));
        for junk in ["", ".", "zz.00", "1.", "ffffffffffffffffff.00"] {
            assert!(!token_valid(&s, &card, "k1", "13955557777", junk, now));
        }
        // Another hall's keys.
        let s2 = Secrets::generate().unwrap_or_else(|e| panic!("{e}"));
        assert!(!token_valid(&s2, &card, "k1", "13955557777", &t, now));
    }
}
