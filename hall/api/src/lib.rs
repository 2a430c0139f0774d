//! Wire types of the hall backend's API v1 (`/api/v1`), shared by the hall and the kiosk so
//! the two cannot drift apart.
