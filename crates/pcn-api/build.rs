//! Builds the web app's files into the binary: `web/app/*` (ours) and
//! Leaflet's files, committed under `web/vendor/leaflet/` (with its licence),
//! so that a build needs neither npm nor a network. npm is for the browser
//! tests only.

use std::path::{Path, PathBuf};

fn files(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            files(&p, &format!("{prefix}{name}/"), out);
        } else if !name.starts_with('.') && !name.ends_with(".md") {
            out.push((format!("{prefix}{name}"), p));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let web = manifest.join("../../web");
    let leaflet = web.join("vendor/leaflet");
    println!("cargo:rerun-if-changed={}", web.join("app").display());
    println!("cargo:rerun-if-changed={}", leaflet.display());
    let mut list = Vec::new();
    files(&web.join("app"), "/app/", &mut list);
    files(&leaflet, "/vendor/leaflet/", &mut list);
    assert!(
        list.iter().any(|(u, _)| u == "/vendor/leaflet/leaflet.js"),
        "web/vendor/leaflet/leaflet.js is missing: it is committed with the source"
    );
    let mut code = String::from("/// The web app's files by URL path.\npub static FILES: &[(&str, &[u8])] = &[\n");
    for (url, path) in &list {
        let abs = path.canonicalize().expect("listed files exist");
        code.push_str(&format!("    ({url:?}, include_bytes!({:?})),\n", abs.display().to_string()));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("web_files.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
