//! Integration tests against a real PostgreSQL: one test binary, one module per area.

mod api_dossiers;
mod api_lookup_numbers;
mod db_read_model;
mod faults;
mod health;
mod helpers;
mod kannel;
mod outage;
mod pages_lookup;
mod privacy;
mod rate_limits;
mod sms_inbound;
mod sms_kannel;
mod sms_notify;
mod sync_catalog;
mod sync_fanout;
mod sync_pull;
mod sync_push;
