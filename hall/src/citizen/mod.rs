//! The citizen's phone pages, served by the hall at the address the receipt's QR code holds:
//! [`progress_page`] answers `GET /progress?c=…&v=…` (the application's progress, server-
//! rendered, no scripts) and `POST /progress` (its 好差评 form). [`form`] decodes their
//! input by hand; [`markup`] turns what the citizen may see into HTML, with [`rating_form`]
//! for the 好差评 card and [`style`] for the one style sheet.

pub mod form;
pub mod markup;
pub mod progress_page;
pub mod rating_form;
pub mod style;
