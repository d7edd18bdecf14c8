//! `pcn serve`: the web app and HTTP API. The only place the command line
//! touches the HTTP crate (a test keeps it so): everything else it does goes
//! through `pcn-workbench`, as the API's handlers do.

use anyhow::Context;
use pcn_store::Store;

use crate::cli::ServeArgs;

pub use pcn_api::ServeOptions;

pub fn options(args: &ServeArgs) -> ServeOptions {
    ServeOptions {
        request_head: std::time::Duration::from_secs(args.request_head_timeout),
        max_connections: args.max_connections as usize,
    }
}

/// Server logs to standard error, filtered by `PCN_LOG` (e.g. `info` for a
/// line per request, `pcn_api=debug,warn`); by default warnings and errors,
/// every server error among them with its cause and request id.
fn init_logs() {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let default = Targets::new().with_default(LevelFilter::WARN);
    let filter = match std::env::var("PCN_LOG") {
        Ok(s) => s.parse::<Targets>().unwrap_or_else(|e| {
            eprintln!("pcn: PCN_LOG={s:?} is not a log filter ({e}); logging warnings and errors");
            default
        }),
        Err(_) => default,
    };
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_target(true);
    // A second call (the demo serves after importing in one process) keeps the first.
    let _ = tracing_subscriber::registry().with(fmt.with_filter(filter)).try_init();
}

/// Serves the web app and API; the latest snapshot's model and map are
/// built in the background so the first visitor does not wait for them.
pub async fn serve(target: &std::path::Path, addr: &str, opts: ServeOptions) -> anyhow::Result<()> {
    init_logs();
    let store = Store::open(target).await?;
    let location = store.location().to_string();
    let state = pcn_api::AppState::new(store);
    let warm = state.clone();
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match warm.warm().await {
            Ok(()) => eprintln!("pcn: map ready ({:.1} s)", started.elapsed().as_secs_f64()),
            Err(e) => eprintln!("pcn: nothing to show yet: {e}"),
        }
    });
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    eprintln!(
        "pcn: serving {location} on http://{} (OpenAPI at /api/openapi.json); Ctrl-C stops",
        listener.local_addr()?
    );
    pcn_api::serve_on(state, listener, opts).await.context("serve")?;
    Ok(())
}
