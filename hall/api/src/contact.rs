//! One-touch phone reuse (`POST /api/v1/citizen/contact`): the hall offers the phone number a
//! citizen gave it on an earlier application with progress-notice consent, masked, with an
//! opaque short-lived token the kiosk puts in `CreateApplication::phone_token` instead of the
//! number. The full number never travels back to the kiosk.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use vocab::mask::mask_id_number;

/// The body of `POST /api/v1/citizen/contact` (never a URL: the ID number is personal data).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactQuery {
    /// The citizen's ID number, read from the card.
    pub id_number: String,
}

impl fmt::Debug for ContactQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContactQuery")
            .field("id_number", &mask_id_number(&self.id_number))
            .finish()
    }
}

/// What the hall knows of a citizen's contact details, for one-touch reuse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct KnownContact {
    /// The phone number from the citizen's latest application, if that application consented
    /// to progress notices; `None` otherwise (never given, or consent withdrawn since).
    pub phone: Option<KnownPhone>,
}

/// A known phone number: shown masked, reused through the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct KnownPhone {
    /// The number masked for the screen (`138****5678`).
    pub masked: String,
    /// Opaque token for `CreateApplication::phone_token`; valid for this ID number at this
    /// kiosk until it expires (30 minutes), any number of times within that.
    pub token: String,
}
