//! Appointments (预约服务): one-hour slots per department with a capacity, listed by
//! `GET /api/v1/appointments/slots` and booked by `POST /api/v1/appointments`.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use vocab::mask::mask_name;

/// One bookable slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Slot {
    /// `{department}.{date}.{HHMM}`, e.g. `gongan.2024-05-06.0900`.
    pub id: String,
    /// Department code.
    pub department: String,
    /// Day.
    pub date: NaiveDate,
    /// Start, `HH:MM` local time.
    pub start: String,
    /// End, `HH:MM` local time.
    pub end: String,
    /// Bookings the slot takes.
    pub capacity: u32,
    /// Bookings still free.
    pub remaining: u32,
}

/// The answer of `GET /api/v1/appointments/slots`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SlotList {
    /// Slots on working days, in time order.
    pub slots: Vec<Slot>,
}

/// The body of `POST /api/v1/appointments`. Personal data: `Debug` is masked; wiped when
/// dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateAppointment {
    /// The slot id from the list.
    pub slot_id: String,
    /// The item the visit is for, if known.
    #[serde(default)]
    pub item_code: Option<String>,
    /// Name (from the ID card).
    pub name: String,
    /// Phone for reminders.
    pub phone: String,
}

impl fmt::Debug for CreateAppointment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateAppointment")
            .field("slot_id", &self.slot_id)
            .field("item_code", &self.item_code)
            .field("name", &mask_name(&self.name))
            .finish_non_exhaustive()
    }
}

/// The booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AppointmentReceipt {
    /// Booking id.
    pub id: String,
    /// Short code the citizen shows at the queue machine (`YY-…`).
    pub reference: String,
    /// The slot booked (with the remaining count after this booking).
    pub slot: Slot,
    /// When the hall recorded it.
    pub booked_at: DateTime<Utc>,
}
