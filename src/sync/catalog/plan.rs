//! Deciding what of a validated catalog batch applies: of a code repeated in the batch only its
//! newest version, for agencies a parent that exists and no cycle (parents ordered first), and,
//! after the upsert, which applied entries changed what dossier views show. No I/O.

use std::collections::{HashMap, HashSet};

use super::validate::CheckedItem;
use crate::db;
use crate::domain::catalog::{Agency, Procedure};
use crate::sync::service::{BatchReport, ItemReport, StaleItem};

/// A validated catalog entry: its canonical code and version.
pub trait CatalogEntry {
    /// The canonical code.
    fn code(&self) -> &str;
    /// The version it carries.
    fn version(&self) -> i64;
    /// Replaces the version (the CSV import's default).
    fn set_version(&mut self, version: i64);
    /// The fields dossier views show, in the order of `db::catalog::list_*_shown`.
    fn shown(&self) -> Vec<Option<String>>;
}

impl CatalogEntry for Agency {
    fn code(&self) -> &str {
        self.code.as_str()
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn shown(&self) -> Vec<Option<String>> {
        vec![
            Some(self.name.clone()),
            self.desk_address.clone(),
            self.desk_phone.clone(),
            self.desk_hours.clone(),
        ]
    }
}

impl CatalogEntry for Procedure {
    fn code(&self) -> &str {
        self.code.as_str()
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn shown(&self) -> Vec<Option<String>> {
        vec![
            Some(self.name.clone()),
            Some(self.field.clone()),
            Some(self.processing_days.to_string()),
        ]
    }
}

/// The applied codes whose shown fields differ from what was stored before (or that are new).
pub(super) fn shown_changes<'a, T: CatalogEntry>(
    planned: &'a [(usize, T)],
    applied: &[String],
    before: &db::catalog::Shown,
) -> Vec<&'a str> {
    let applied: HashSet<&str> = applied.iter().map(String::as_str).collect();
    planned
        .iter()
        .map(|(_, entry)| entry)
        .filter(|entry| applied.contains(entry.code()))
        .filter(|entry| before.get(entry.code()) != Some(&entry.shown()))
        .map(|entry| entry.code())
        .collect()
}

/// Records refused items and keeps, of a code repeated in the batch, only its newest version (the
/// others are stale). Returns the candidates in batch order.
pub(super) fn sort_out<T: CatalogEntry>(
    items: Vec<CheckedItem<T>>,
    report: &mut BatchReport,
) -> Vec<(usize, T)> {
    report.received = items.len();
    let mut valid: Vec<(usize, T)> = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Ok(entry) => valid.push(entry),
            Err(error) => report.errors.push(error),
        }
    }
    let mut newest: HashMap<&str, usize> = HashMap::new();
    for (position, (_, entry)) in valid.iter().enumerate() {
        match newest.get(entry.code()) {
            Some(&other) if valid[other].1.version() >= entry.version() => {}
            _ => {
                newest.insert(entry.code(), position);
            }
        }
    }
    let kept: HashSet<usize> = newest.into_values().collect();
    let mut candidates = Vec::with_capacity(kept.len());
    for (position, (index, entry)) in valid.into_iter().enumerate() {
        if kept.contains(&position) {
            candidates.push((index, entry));
        } else {
            report.stale_items.push(stale(index, &entry));
        }
    }
    candidates
}

fn stale<T: CatalogEntry>(index: usize, entry: &T) -> StaleItem {
    StaleItem {
        index,
        code: entry.code().to_owned(),
        version: entry.version(),
    }
}

/// Marks the candidates the upsert did not apply as stale, then orders and counts the report.
pub(super) fn finish<T: CatalogEntry>(
    report: &mut BatchReport,
    candidates: &[(usize, T)],
    applied: &[String],
) {
    let applied_set: HashSet<&str> = applied.iter().map(String::as_str).collect();
    for (index, entry) in candidates {
        if !applied_set.contains(entry.code()) {
            report.stale_items.push(stale(*index, entry));
        }
    }
    report.errors.sort_by_key(|e| e.index);
    report.stale_items.sort_by_key(|s| s.index);
    report.applied = applied.len();
    report.stale = report.stale_items.len();
    report.invalid = report.errors.len();
}

/// Decides which agency candidates may be applied, given the stored lineage: an item not newer
/// than the stored one is stale; a parent must be stored or another applicable item of the batch;
/// no item may become its own ancestor. Refusals cascade (a child of a refused new agency is
/// refused too). Returns the applicable candidates, parents before children.
pub(super) fn plan_agencies(
    candidates: Vec<(usize, Agency)>,
    stored: &[db::catalog::AgencyLink],
    report: &mut BatchReport,
) -> Vec<(usize, Agency)> {
    let stored_parent: HashMap<&str, Option<&str>> = stored
        .iter()
        .map(|link| (link.code.as_str(), link.parent_code.as_deref()))
        .collect();
    let stored_version: HashMap<&str, i64> = stored
        .iter()
        .map(|link| (link.code.as_str(), link.version))
        .collect();

    let mut pending: Vec<(usize, Agency)> = Vec::with_capacity(candidates.len());
    for (index, agency) in candidates {
        match stored_version.get(agency.code.as_str()) {
            Some(&version) if version >= agency.version => {
                report.stale_items.push(stale(index, &agency));
            }
            _ => pending.push((index, agency)),
        }
    }

    let refuse = |report: &mut BatchReport,
                  index: usize,
                  agency: &Agency,
                  (field, reason): (&str, String)| {
        report.errors.push(ItemReport {
            index,
            code: Some(agency.code.as_str().to_owned()),
            field: field.into(),
            reason,
        });
    };
    let mut refused_codes: HashSet<String> = HashSet::new();
    loop {
        // The hierarchy as it would be if every pending item applied.
        let mut parent_of: HashMap<&str, Option<&str>> = stored_parent.clone();
        for (_, agency) in &pending {
            parent_of.insert(
                agency.code.as_str(),
                agency.parent_code.as_ref().map(|p| p.as_str()),
            );
        }
        let mut refused: Vec<(usize, (&str, String))> = Vec::new();
        for (position, (_, agency)) in pending.iter().enumerate() {
            // A successor, like a parent, must be stored or applicable in this batch.
            let missing = agency
                .successors
                .iter()
                .flatten()
                .find(|s| !parent_of.contains_key(s.as_str()));
            if let Some(successor) = missing {
                let successor = successor.as_str();
                let reason = if refused_codes.contains(successor) {
                    format!("{successor} is refused in this batch (see its own error)")
                } else {
                    super::validate::LifecycleError::UnknownSuccessor {
                        code: successor.to_owned(),
                    }
                    .reason()
                };
                refused.push((position, ("successors", reason)));
                continue;
            }
            let Some(parent) = agency.parent_code.as_ref().map(|p| p.as_str()) else {
                continue;
            };
            if !parent_of.contains_key(parent) {
                let reason = if refused_codes.contains(parent) {
                    format!("{parent} is refused in this batch (see its own error)")
                } else {
                    format!("{parent} is not in the catalog (send the parent first or in the same batch)")
                };
                refused.push((position, ("parent_code", reason)));
                continue;
            }
            // Walk up; at most one step per known agency, so a stored cycle cannot hang us.
            let mut at = Some(parent);
            for _ in 0..=parent_of.len() {
                match at {
                    Some(code) if code == agency.code.as_str() => {
                        refused.push((
                            position,
                            (
                                "parent_code",
                                format!("{parent} would make the agency its own ancestor"),
                            ),
                        ));
                        break;
                    }
                    Some(code) => at = parent_of.get(code).copied().flatten(),
                    None => break,
                }
            }
        }
        if refused.is_empty() {
            break;
        }
        // Refuse, then check again: a refused new agency may have been another item's parent.
        let mut reasons: HashMap<usize, (&str, String)> = refused.into_iter().collect();
        let mut kept = Vec::with_capacity(pending.len());
        for (position, (index, agency)) in pending.into_iter().enumerate() {
            match reasons.remove(&position) {
                Some(reason) => {
                    refuse(report, index, &agency, reason);
                    refused_codes.insert(agency.code.as_str().to_owned());
                }
                None => kept.push((index, agency)),
            }
        }
        pending = kept;
    }

    // Parents first: order by depth in the resulting hierarchy.
    let mut parent_of: HashMap<&str, Option<&str>> = stored_parent;
    for (_, agency) in &pending {
        parent_of.insert(
            agency.code.as_str(),
            agency.parent_code.as_ref().map(|p| p.as_str()),
        );
    }
    let depth = |code: &str| {
        let mut depth = 0usize;
        let mut at = parent_of.get(code).copied().flatten();
        while let Some(code) = at {
            depth += 1;
            if depth > parent_of.len() {
                break;
            }
            at = parent_of.get(code).copied().flatten();
        }
        depth
    };
    let mut ordered: Vec<(usize, usize)> = pending
        .iter()
        .enumerate()
        .map(|(position, (_, agency))| (depth(agency.code.as_str()), position))
        .collect();
    ordered.sort_unstable();
    let mut slots: Vec<Option<(usize, Agency)>> = pending.into_iter().map(Some).collect();
    ordered
        .into_iter()
        .filter_map(|(_, position)| slots[position].take())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{agency, valid};
    use super::*;
    use crate::db::catalog::AgencyLink;

    fn stored(code: &str, parent: Option<&str>, version: i64) -> AgencyLink {
        AgencyLink {
            code: code.into(),
            parent_code: parent.map(Into::into),
            version,
        }
    }

    #[test]
    fn the_newest_version_of_a_repeated_code_wins_and_the_rest_are_stale() {
        let items = vec![
            Ok((0, valid(agency("A1", None, 5)))),
            Ok((1, valid(agency("A1", None, 7)))),
            Ok((2, valid(agency("A1", None, 7)))),
            Ok((3, valid(agency("A2", None, 1)))),
        ];
        let mut report = BatchReport::default();
        let kept: Vec<usize> = sort_out(items, &mut report)
            .iter()
            .map(|(i, _)| *i)
            .collect();
        assert_eq!(kept, [1, 3]);
        let stale: Vec<usize> = report.stale_items.iter().map(|s| s.index).collect();
        assert_eq!(stale, [0, 2]);
    }

    #[test]
    fn only_applied_entries_whose_shown_fields_changed_touch_dossier_views() {
        let mut renamed = valid(agency("A1", None, 2));
        renamed.name = "Tên mới".into();
        let planned = vec![
            (0, renamed),
            (1, valid(agency("A2", None, 2))),
            (2, valid(agency("A3", None, 2))),
            (3, valid(agency("A4", None, 2))),
        ];
        let unchanged = |code: &str| valid(agency(code, None, 1)).shown();
        let before: db::catalog::Shown = [
            ("A1".to_owned(), unchanged("A1")),
            ("A2".to_owned(), unchanged("A2")),
            ("A4".to_owned(), unchanged("A4")),
        ]
        .into();
        // A4 was stale (not applied); A3 is new.
        let applied = ["A1".to_owned(), "A2".to_owned(), "A3".to_owned()];
        assert_eq!(shown_changes(&planned, &applied, &before), ["A1", "A3"]);
    }

    #[test]
    fn parents_come_first_whatever_the_batch_order() {
        let batch = vec![
            (0, valid(agency("A.B.C", Some("A.B"), 1))),
            (1, valid(agency("A.B", Some("A"), 1))),
            (2, valid(agency("A", Some("ROOT"), 1))),
            (3, valid(agency("OTHER", None, 1))),
        ];
        let mut report = BatchReport::default();
        let planned = plan_agencies(batch, &[stored("ROOT", None, 0)], &mut report);
        let order: Vec<usize> = planned.iter().map(|(i, _)| *i).collect();
        assert_eq!(order, [3, 2, 1, 0]);
        assert!(report.errors.is_empty());
    }

    #[test]
    fn an_unknown_parent_refuses_the_item_and_its_new_children() {
        let batch = vec![
            (0, valid(agency("X.1", Some("X"), 1))),
            (1, valid(agency("X.1.1", Some("X.1"), 1))),
            (2, valid(agency("S.1", Some("S"), 1))),
            (3, valid(agency("Y", Some("S.1"), 1))),
        ];
        let mut report = BatchReport::default();
        // S.1 is stored already: its children stay valid even though nothing else is.
        let planned = plan_agencies(
            batch,
            &[stored("S", None, 0), stored("S.1", Some("S"), 0)],
            &mut report,
        );
        let applied: Vec<usize> = planned.iter().map(|(i, _)| *i).collect();
        assert_eq!(applied, [2, 3]);
        let mut refused: Vec<(usize, &str)> = report
            .errors
            .iter()
            .map(|e| (e.index, e.field.as_str()))
            .collect();
        refused.sort_unstable();
        assert_eq!(refused, [(0, "parent_code"), (1, "parent_code")]);
        assert!(report
            .errors
            .iter()
            .any(|e| e.reason.contains("X is not in the catalog")));
        assert!(report
            .errors
            .iter()
            .any(|e| e.reason.contains("X.1 is refused in this batch")));
    }

    #[test]
    fn a_move_that_would_make_a_cycle_is_refused_and_stale_items_keep_the_stored_parent() {
        // Stored: P ← C (C's parent is P).
        let hierarchy = [stored("P", None, 1), stored("C", Some("P"), 1)];

        // Moving P under C would make P its own ancestor.
        let mut report = BatchReport::default();
        let planned = plan_agencies(
            vec![(0, valid(agency("P", Some("C"), 2)))],
            &hierarchy,
            &mut report,
        );
        assert!(planned.is_empty());
        assert_eq!(report.errors[0].field, "parent_code");
        assert!(report.errors[0].reason.contains("own ancestor"));

        // Moving C to the root and P under C in one batch is fine.
        let mut report = BatchReport::default();
        let planned = plan_agencies(
            vec![
                (0, valid(agency("P", Some("C"), 2))),
                (1, valid(agency("C", None, 2))),
            ],
            &hierarchy,
            &mut report,
        );
        let order: Vec<usize> = planned.iter().map(|(i, _)| *i).collect();
        assert_eq!(order, [1, 0]);

        // ... unless the move of C is stale: then C stays under P, and P under C is a cycle.
        let mut report = BatchReport::default();
        let planned = plan_agencies(
            vec![
                (0, valid(agency("P", Some("C"), 2))),
                (1, valid(agency("C", None, 1))),
            ],
            &hierarchy,
            &mut report,
        );
        assert!(planned.is_empty());
        assert_eq!(report.stale_items[0].index, 1);
        assert_eq!(report.errors[0].index, 0);
    }
}
