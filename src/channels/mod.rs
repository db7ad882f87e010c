//! The channels citizens and staff reach tracuu through. Each parses its input into domain types,
//! calls the services, and renders for its medium; none holds SQL.

pub mod feedback;
pub mod hotline;
pub mod kiosk;
pub mod qr;
pub mod sms;
pub mod staff;
pub mod sync;
pub mod web;
