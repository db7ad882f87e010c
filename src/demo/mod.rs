//! The demo province: a deterministic, realistic data set (Quảng Ngãi, `H48`, marked "dữ liệu
//! mẫu") for trying tracuu without a real upstream: the province as it is since 1 July 2025, with
//! the districts, communes and merged-in Kon Tum agencies that closed that day kept for the
//! dossiers they received (decision 0055). `names` holds the word lists, `generate` turns
//! a seed into agencies, procedures and a lazy stream of domain dossiers (pure, no I/O),
//! and `load` writes them into the read model in one transaction with binary COPY (the statements
//! are `db::demo`'s).
//!
//! The same seed, `until` and due-date function always give the same rows: the generator carries
//! its own PRNG and fixed word lists, so no dependency upgrade can change the data.

pub(crate) mod generate;
mod load;
mod names;

pub use generate::{
    dossiers, province, showcase_note, DemoAgency, DemoProcedure, DemoProvince, H_CODE,
    SHOWCASE_COUNT, SHOWCASE_SEQ_BASE,
};
pub use load::{load, showcase, DemoOptions, DemoSummary, ShowcaseRow};
