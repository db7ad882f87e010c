//! The 1022 hotline (design.md §2, issue 8): the operators' console (`console`: find a caller's
//! dossier by code, lookup number or phone with an audited reason, read its timeline aloud, file a
//! question or feedback on the caller's behalf, log the call with its outcome), the IVR
//! (`ivr`: VoiceXML 2.1 documents and the same flow as JSON), synthesized audio for platforms
//! without Vietnamese TTS (`audio`), and the per-caller limits they share.

pub mod console;
pub mod ivr;

use actix_web::web;

/// Registers the console and IVR routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    console::configure(cfg);
    ivr::configure(cfg);
}
