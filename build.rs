//! Rebuild when a migration changes: `refinery::embed_migrations!` reads `migrations/` at compile
//! time, and cargo does not know that on its own. Also names the build's commit for the
//! `tracuu_build_info` metric (`BUILD_COMMIT`: the environment's value when set, as a
//! package build from a tarball sets it, else `git rev-parse`, else "unknown"). Not a `TRACUU_`
//! name: cargo also passes it to the processes it runs, whose settings refuse unknown `TRACUU_`
//! variables.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-env-changed=BUILD_COMMIT");
    let commit = std::env::var("BUILD_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=BUILD_COMMIT={commit}");
}

/// The short commit of the work tree, when it is a git checkout; rebuilds when HEAD moves.
fn git_commit() -> Option<String> {
    let run = |args: &[&str]| {
        let output = Command::new("git").args(args).output().ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    };
    // Only files that exist: cargo runs a build script again every time a watched one is missing
    // (a branch whose ref is packed).
    let watch = |path: String| {
        if std::path::Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    };
    watch(run(&["rev-parse", "--git-path", "HEAD"])?);
    if let Some(reference) = run(&["symbolic-ref", "-q", "HEAD"]) {
        if let Some(path) = run(&["rev-parse", "--git-path", &reference]) {
            watch(path);
        }
    }
    run(&["rev-parse", "--short=12", "HEAD"])
}
