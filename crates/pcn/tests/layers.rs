//! The layers of the workspace, kept by a test (ARCHITECTURE.md states them):
//!
//! - the engines (core, geo, rules, form, funding, profile, services) are pure:
//!   they depend on no IO crate and on no crate outside the engines, and their
//!   sources open no files, sockets or runtimes;
//! - the edges (nhs: files, store: the database) depend on core only;
//! - the application layer (workbench) speaks no HTTP and parses no command line;
//! - the HTTP API parses no command line; the command line reaches the HTTP
//!   crate only in `src/serve.rs`;
//! - inside each crate, modules do not use each other in a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ENGINES: [&str; 7] =
    ["pcn-core", "pcn-geo", "pcn-rules", "pcn-form", "pcn-funding", "pcn-profile", "pcn-services"];
/// Crates that do IO (files, database, network, runtime, terminal) or speak a front door's protocol.
const IO: [&str; 12] = [
    "sqlx",
    "tokio",
    "axum",
    "hyper",
    "hyper-util",
    "tower",
    "tower-http",
    "calamine",
    "csv",
    "indicatif",
    "clap",
    "reqwest",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Each workspace crate's normal (not dev or build) dependencies, by name.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(root())
        .output()
        .expect("cargo metadata");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap().to_string())
                .collect();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect()
}

fn workspace_deps(deps: &BTreeSet<String>) -> BTreeSet<&str> {
    deps.iter().map(String::as_str).filter(|d| d.starts_with("pcn")).collect()
}

#[test]
fn each_layer_depends_only_on_the_layers_below_it() {
    let all = dependencies();
    for engine in ENGINES {
        let deps = &all[engine];
        let io: Vec<&String> = deps.iter().filter(|d| IO.contains(&d.as_str())).collect();
        assert!(io.is_empty(), "the engine {engine} depends on IO crates {io:?}");
        let outside: Vec<&str> = workspace_deps(deps).into_iter().filter(|d| !ENGINES.contains(d)).collect();
        assert!(outside.is_empty(), "the engine {engine} depends on {outside:?}, which are not engines");
    }
    for edge in ["pcn-nhs", "pcn-store"] {
        assert_eq!(workspace_deps(&all[edge]), BTreeSet::from(["pcn-core"]), "{edge} reaches past pcn-core");
    }
    let wb = &all["pcn-workbench"];
    for front in ["pcn-api", "pcn", "axum", "hyper", "tower", "tower-http", "clap", "indicatif"] {
        assert!(!wb.contains(front), "the application layer depends on {front}");
    }
    for cli in ["clap", "indicatif", "pcn"] {
        assert!(!all["pcn-api"].contains(cli), "the HTTP API depends on {cli}");
    }
    assert!(all["pcn"].contains("pcn-workbench") && all["pcn-api"].contains("pcn-workbench"));
}

/// Rust sources under `dir`, recursively.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(sources(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn the_engines_open_no_files_or_sockets_and_the_cli_serves_http_in_one_place() {
    for engine in ENGINES {
        for file in sources(&root().join("crates").join(engine).join("src")) {
            let text = std::fs::read_to_string(&file).unwrap();
            for io in ["std::fs", "std::net", "File::open", "File::create", "tokio::", "std::process"] {
                assert!(!text.contains(io), "{} uses {io}", file.display());
            }
        }
    }
    let cli = root().join("crates/pcn/src");
    for file in sources(&cli) {
        let text = std::fs::read_to_string(&file).unwrap();
        if file.file_name().is_some_and(|n| n == "serve.rs") {
            assert!(text.contains("pcn_api::"), "serve.rs no longer serves");
            continue;
        }
        assert!(!text.contains("pcn_api"), "{} uses the HTTP crate (only serve.rs may)", file.display());
    }
}

/// The top-level modules of a crate's `src/` and which of them each uses
/// (`crate::name` anywhere in its files, submodules included).
fn module_uses(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let module_of = |file: &Path| -> Option<String> {
        let rel = file.strip_prefix(src).ok()?;
        let first = rel.components().next()?.as_os_str().to_string_lossy().into_owned();
        let name = first.trim_end_matches(".rs").to_string();
        (!matches!(name.as_str(), "lib" | "main")).then_some(name)
    };
    let files = sources(src);
    let names: BTreeSet<String> = files.iter().filter_map(|f| module_of(f)).collect();
    let mut uses: BTreeMap<String, BTreeSet<String>> = names.iter().map(|n| (n.clone(), BTreeSet::new())).collect();
    for file in &files {
        let Some(m) = module_of(file) else { continue };
        let text = std::fs::read_to_string(file).unwrap();
        // Tests inside a module may reach anywhere; only the module's own code counts.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for other in &names {
            if other != &m
                && (code.contains(&format!("crate::{other}::"))
                    || code.contains(&format!("crate::{other}}}"))
                    || code.contains(&format!("crate::{other},"))
                    || code.contains(&format!("crate::{other};")))
            {
                uses.get_mut(&m).unwrap().insert(other.clone());
            }
        }
        // `use crate::{a, b::c}` groups.
        for group in code.split("use crate::{").skip(1) {
            let inner = group.split('}').next().unwrap_or("");
            for item in inner.split(',') {
                let head = item.trim().split("::").next().unwrap_or("").trim();
                if head != m && names.contains(head) {
                    uses.get_mut(&m).unwrap().insert(head.to_string());
                }
            }
        }
    }
    uses
}

/// A cycle in the module graph, if there is one.
fn cycle(uses: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        uses: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == n) {
            let mut c = path[at..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for m in uses.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, uses, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    uses.keys().find_map(|n| visit(n, uses, &mut Vec::new(), &mut done))
}

#[test]
fn no_crate_has_modules_that_use_each_other_in_a_circle() {
    let crates = root().join("crates");
    let mut found = Vec::new();
    for e in std::fs::read_dir(&crates).unwrap() {
        let src = e.unwrap().path().join("src");
        if !src.is_dir() {
            continue;
        }
        if let Some(c) = cycle(&module_uses(&src)) {
            found.push(format!("{}: {}", src.parent().unwrap().file_name().unwrap().to_string_lossy(), c.join(" → ")));
        }
    }
    assert!(found.is_empty(), "module cycles:\n{}", found.join("\n"));
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let g = |edges: &[(&str, &str)]| {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            m.entry(a.to_string()).or_default().insert(b.to_string());
            m.entry(b.to_string()).or_default();
        }
        m
    };
    assert_eq!(cycle(&g(&[("a", "b"), ("b", "c")])), None);
    assert_eq!(
        cycle(&g(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
