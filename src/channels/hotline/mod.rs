//! The 1022 hotline as a channel: the operators' console (`console`: find a caller's dossier by
//! code, lookup number or phone with an audited reason, read its timeline aloud, text its status,
//! file a question or feedback on the caller's behalf, log the call with its outcome) and the IVR
//! (`ivr`: VoiceXML 2.1 documents and the same flow as JSON, with synthesized audio where the
//! platform has no Vietnamese TTS). The call log, the audited searches, the limits and the audio
//! are the hotline service's; these modules parse, call it and render.

pub mod console;
pub mod ivr;

use actix_web::web;

/// Registers the console and IVR routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    console::configure(cfg);
    ivr::configure(cfg);
}
