//! Builds the web app's files into the binary: `web/app/*` (ours) and
//! Leaflet's `dist/` from `web/node_modules` (installed by `npm ci` from the
//! lockfile). Without node_modules, runs `npm ci` once if npm is on the PATH;
//! if that is impossible the server still builds and its page says what to do.

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
        } else if !name.starts_with('.') {
            out.push((format!("{prefix}{name}"), p));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let web = manifest.join("../../web");
    let leaflet = web.join("node_modules/leaflet/dist");
    println!("cargo:rerun-if-changed={}", web.join("app").display());
    println!("cargo:rerun-if-changed={}", web.join("package-lock.json").display());
    println!("cargo:rerun-if-changed={}", leaflet.join("leaflet.js").display());
    println!("cargo:rerun-if-env-changed=PCN_NO_NPM");
    if !leaflet.join("leaflet.js").exists()
        && web.join("package-lock.json").exists()
        && std::env::var_os("PCN_NO_NPM").is_none()
    {
        let status = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--omit=dev"])
            .current_dir(&web)
            .status();
        match status {
            Ok(s) if s.success() => {}
            other => println!(
                "cargo:warning=web app: Leaflet is missing and `npm ci` in web/ did not work ({other:?}); the map will not load until you run `npm ci --prefix web` and rebuild"
            ),
        }
    }
    let mut list = Vec::new();
    files(&web.join("app"), "/app/", &mut list);
    files(&leaflet, "/vendor/leaflet/", &mut list);
    let mut code = String::from("/// The web app's files by URL path.\npub static FILES: &[(&str, &[u8])] = &[\n");
    for (url, path) in &list {
        let abs = path.canonicalize().expect("listed files exist");
        code.push_str(&format!("    ({url:?}, include_bytes!({:?})),\n", abs.display().to_string()));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("web_files.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
