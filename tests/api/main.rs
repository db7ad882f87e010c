//! Integration tests against a real PostgreSQL: one test binary, one module per area.

mod api_dossiers;
mod api_lookup_numbers;
mod db_feedback;
mod db_hotline;
mod db_read_model;
mod faults;
mod feedback_publication;
mod feedback_submit;
mod health;
mod helpers;
mod hotline_console;
mod hotline_ivr;
mod intake_support;
mod outage;
mod pages_lookup;
mod privacy;
mod rate_limits;
mod replica_reads;
mod staff_auth;
mod staff_console;
mod sync_catalog;
mod sync_fanout;
mod sync_pull;
mod sync_push;
