//! The feed from the main dossier store (docs/channels/sync.md): signed push, pull from a source
//! PostgreSQL and its verify, the shared snapshot validation and batch application, and the cache
//! fan-out between instances.

pub mod auth;
pub mod catalog;
pub mod commands;
pub mod fanout;
pub mod freshness;
pub mod import;
pub mod pull;
pub mod service;
pub mod snapshot;
pub mod verify;
