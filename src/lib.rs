//! tracuu: the citizen-facing lookup service of a province's administrative-procedure system.

pub mod batching;
pub mod calendar;
pub mod catalog;
pub mod channels;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod hotline;
pub mod http;
pub mod intake;
pub mod lookup;
pub mod memory;
pub mod notify;
pub mod openapi;
pub mod quality;
pub mod retention;
pub mod staff;
pub mod startup;
pub mod sync;
pub mod telemetry;
pub mod templates;
