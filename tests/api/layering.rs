//! The layers of `src/` point one way. This test reads every `crate::…` and `super::…` path in the
//! crate's own code (test modules left out) and fails on an import that runs against the layers,
//! naming the file, the module it reaches and the rule it breaks:
//!
//! ```text
//! domain      pure types, no I/O                  imports domain only
//! foundation  config, error, telemetry,           imports domain and foundation
//!             templates, batching, memory
//! db          all SQL                             imports domain, foundation
//! services    lookup, sync, intake, notify,       imports domain, foundation, db, services
//!             hotline, staff, demo, catalog,
//!             quality
//! http        the HTTP kit                        imports everything above, but not db
//! channels/*  one medium each                     imports everything above, but not db nor
//!                                                 another channel
//! startup     the only module that imports channels
//! cli, main   the binary
//! ```
//!
//! It also keeps SQL in `db/`: a client call that runs a statement (`.query(`, `.execute(`, ...)
//! outside `db/`, in a file that holds a PostgreSQL client, is a violation too. A service may begin
//! and commit a transaction (the caller owns the transaction, the statements in it are `db`
//! functions); a channel may not. `KNOWN` lists what was there when the rule came; each entry must
//! still occur, so the list only shrinks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Violations that existed when the test came, as `(file, what it reaches)`. Empty means none.
const KNOWN: &[(&str, &str)] = &[];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    Domain,
    Foundation,
    Db,
    Service,
    Http,
    Channel,
    Startup,
    Cli,
}

/// The layer of a module path such as `["channels", "sms", "inbound"]`.
fn layer_of(module: &[String]) -> Option<Layer> {
    let first = module.first()?.as_str();
    Some(match first {
        "domain" => Layer::Domain,
        "config" | "error" | "telemetry" | "templates" | "batching" | "memory" => Layer::Foundation,
        "db" => Layer::Db,
        "lookup" | "sync" | "intake" | "notify" | "hotline" | "staff" | "demo" | "catalog"
        | "quality" | "calendar" | "retention" => Layer::Service,
        "http" => Layer::Http,
        "channels" => Layer::Channel,
        "startup" | "openapi" => Layer::Startup,
        "cli" | "main" => Layer::Cli,
        _ => return None,
    })
}

/// Why `from` may not import `to`, or `None` when it may.
fn broken_rule(from: &[String], to: &[String]) -> Option<&'static str> {
    let (Some(a), Some(b)) = (layer_of(from), layer_of(to)) else {
        return None;
    };
    use Layer::*;
    match (a, b) {
        (Domain, Domain) => None,
        (Domain, _) => Some("domain imports only domain"),
        (Foundation, Domain | Foundation) => None,
        (Foundation, _) => Some("foundation modules import only domain and each other"),
        (Db, Domain | Foundation | Db) => None,
        (Db, _) => Some("db imports only domain and foundation (no service, no channel)"),
        (Service, Domain | Foundation | Db | Service) => None,
        (Service, _) => Some("a service imports no HTTP kit, channel, startup or CLI"),
        (Http, Domain | Foundation | Service | Http) => None,
        (Http, _) => Some("the HTTP kit imports services, never db, a channel or startup"),
        (Channel, Channel) if from.get(1) != to.get(1) && to.len() > 1 => {
            Some("no channel imports another channel")
        }
        (Channel, Domain | Foundation | Service | Http | Channel) => None,
        (Channel, Db) => Some("channels reach the database through services, not db"),
        (Channel, _) => Some("a channel imports no startup or CLI"),
        (Startup, Cli) => Some("startup imports no CLI"),
        (Startup, _) | (Cli, _) => None,
    }
}

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/channels/sms/mod.rs` -> `["channels", "sms"]`; `src/lib.rs` -> `[]`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The text without comments and without `#[cfg(test)]` items (a test module may use anything).
fn production_code(text: &str) -> String {
    let mut kept = String::new();
    let mut skip_depth: Option<i32> = None;
    let mut pending_test_attr = false;
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        if let Some(depth) = skip_depth.as_mut() {
            *depth += brace_balance(code);
            if *depth <= 0 && code.contains('}') {
                skip_depth = None;
            }
            continue;
        }
        if code.trim() == "#[cfg(test)]" {
            pending_test_attr = true;
            continue;
        }
        if pending_test_attr {
            pending_test_attr = false;
            let depth = brace_balance(code);
            if depth > 0 {
                skip_depth = Some(depth);
            }
            continue;
        }
        kept.push_str(code);
        kept.push('\n');
    }
    kept
}

fn brace_balance(code: &str) -> i32 {
    code.chars().fold(0, |n, c| match c {
        '{' => n + 1,
        '}' => n - 1,
        _ => n,
    })
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first module names after `prefix::` at `at`: one name, or each name of a `{...}` group.
fn names_after(code: &str, at: usize) -> Vec<String> {
    let rest = &code[at..];
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 1;
        let mut end = group.len();
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let mut names = Vec::new();
        let mut depth = 0;
        let mut start = true;
        for (i, c) in group[..end].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => start = true,
                c if start && depth == 0 && is_ident(c) => {
                    let name: String = group[i..].chars().take_while(|c| is_ident(*c)).collect();
                    names.push(name);
                    start = false;
                }
                _ => {}
            }
        }
        names
    } else {
        let name: String = rest.chars().take_while(|c| is_ident(*c)).collect();
        vec![name]
    }
}

/// The modules (as paths from the crate root, two levels deep) that `code` of `module` reaches.
fn reached(module: &[String], code: &str) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", parent(module))] {
        let mut from = 0;
        while let Some(found) = code[from..].find(prefix) {
            let at = from + found;
            from = at + prefix.len();
            if at > 0 && is_ident(code[..at].chars().last().unwrap_or(' ')) {
                continue;
            }
            let path_start = at + prefix.len();
            let rest = &code[path_start..];
            // `crate::channels::sms::x` reaches `channels::sms`; keep two levels for channels.
            for first in names_after(code, path_start) {
                if first.is_empty() || first == "self" {
                    continue;
                }
                let mut path = base.clone();
                path.push(first.clone());
                if path.first().map(String::as_str) == Some("channels") && path.len() == 1 {
                    if let Some(tail) = rest.strip_prefix(&format!("{first}::")) {
                        for second in names_after(tail, 0) {
                            let mut deeper = path.clone();
                            deeper.push(second);
                            out.insert(deeper);
                        }
                        continue;
                    }
                }
                out.insert(path);
            }
        }
    }
    out
}

/// The module `super` names from `module`.
fn parent(module: &[String]) -> Vec<String> {
    let mut parent = module.to_vec();
    parent.pop();
    parent
}

/// Names that show a file holds a PostgreSQL client or connection.
const POSTGRES_CLIENTS: &[&str] = &[
    "deadpool_postgres",
    "tokio_postgres",
    "GenericClient",
    "pool.get()",
    "db::connect",
];

const SQL_CALLS: &[&str] = &[
    ".query(",
    ".query_one(",
    ".query_opt(",
    ".query_raw(",
    ".execute(",
    ".batch_execute(",
    ".simple_query(",
    ".prepare(",
    ".prepare_cached(",
    ".transaction(",
    ".build_transaction(",
    ".copy_in(",
];

#[test]
fn imports_follow_the_layers_and_sql_stays_in_db() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&root, &mut files);
    assert!(files.len() > 50, "the crate's sources were found");

    let mut found: BTreeSet<(String, String)> = BTreeSet::new();
    let mut found_lines: BTreeMap<(String, String), String> = BTreeMap::new();
    for file in &files {
        let relative = file.strip_prefix(&root).expect("under src");
        let name = format!("src/{}", relative.display());
        let module = module_of(relative);
        let code = production_code(&std::fs::read_to_string(file).expect("read source"));
        for target in reached(&module, &code) {
            if target.starts_with(&module[..module.len().min(2)]) && module.len() >= 2 {
                continue;
            }
            if let Some(rule) = broken_rule(&module, &target) {
                let what = target.join("::");
                if found.insert((name.clone(), what.clone())) {
                    found_lines.insert(
                        (name.clone(), what),
                        format!("{name} imports {what2}: {rule}", what2 = target.join("::")),
                    );
                }
            }
        }
        let layer = layer_of(&module);
        if layer.is_some_and(|l| l != Layer::Db) {
            // A service owns its transactions (begin and commit); the statements are db's.
            let owns_transactions = layer == Some(Layer::Service);
            let calls = SQL_CALLS
                .iter()
                .filter(|call| !(owns_transactions && call.contains("transaction")));
            // `.query(` is also an HTTP client's method: a call counts only in a file that holds a
            // PostgreSQL client.
            let holds_client = POSTGRES_CLIENTS.iter().any(|name| code.contains(name));
            if let Some(call) = calls
                .into_iter()
                .find(|call| holds_client && code.contains(*call))
            {
                let what = format!("sql {}", call.trim_matches(|c| c == '.' || c == '('));
                if found.insert((name.clone(), what.clone())) {
                    found_lines.insert(
                        (name.clone(), what),
                        format!("{name} runs SQL ({call}): SQL lives only in db/"),
                    );
                }
            }
        }
    }

    let known: BTreeSet<(String, String)> = KNOWN
        .iter()
        .map(|(f, w)| (f.to_string(), w.to_string()))
        .collect();
    let new: Vec<String> = found
        .iter()
        .filter(|key| !known.contains(*key))
        .map(|key| found_lines[key].clone())
        .collect();
    let gone: Vec<String> = known
        .iter()
        .filter(|key| !found.contains(*key))
        .map(|(f, w)| format!("(\"{f}\", \"{w}\")"))
        .collect();
    let all_found = found
        .iter()
        .map(|(f, w)| format!("    (\"{f}\", \"{w}\"),"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        new.is_empty(),
        "imports against the layers:\n  {}\n(all found, as KNOWN entries:\n{all_found}\n)",
        new.join("\n  "),
    );
    assert!(
        gone.is_empty(),
        "these KNOWN violations are gone; remove them from the list: {}\n(all found, as KNOWN entries:\n{all_found}\n)",
        gone.join(", ")
    );
}

#[test]
fn the_rules_catch_what_they_name() {
    let m = |s: &str| s.split("::").map(String::from).collect::<Vec<_>>();
    assert!(broken_rule(&m("db::sync"), &m("sync")).is_some());
    assert!(broken_rule(&m("channels::sms::inbound"), &m("channels::web")).is_some());
    assert!(broken_rule(&m("channels::sms::inbound"), &m("db")).is_some());
    assert!(broken_rule(&m("intake"), &m("cli")).is_some());
    assert!(broken_rule(&m("domain::status"), &m("config")).is_some());
    assert!(broken_rule(&m("http"), &m("channels::web")).is_some());
    assert!(broken_rule(&m("channels::sms::inbound"), &m("lookup")).is_none());
    assert!(broken_rule(&m("startup"), &m("channels::sms")).is_none());
    assert!(broken_rule(&m("sync::service"), &m("lookup")).is_none());

    let code = production_code(
        "use crate::{db, lookup::Cache};\nuse super::{web::AppState, x};\n// crate::cli\n#[cfg(test)]\nmod tests {\n    use crate::startup;\n}\n",
    );
    let reached = reached(&m("channels::sms::inbound"), &code);
    let names: Vec<String> = reached.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        names,
        ["channels::sms::web", "channels::sms::x", "db", "lookup"],
        "groups, super and comments"
    );
}
