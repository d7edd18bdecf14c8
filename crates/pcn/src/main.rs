//! `pcn`: the command line. It only wires the crates together: files are read by
//! `pcn-nhs`, kept by `pcn-store`, synthesised by `pcn-synth`.

mod arrs;
mod bench;
mod bench_serve;
mod check;
mod cli;
mod commands;
mod export;
mod failure;
mod form;
mod icbs;
mod output;
mod pay;
mod profile;
mod rates;
mod reconcile;
mod register;
mod serve;
mod services;
mod statement;
#[cfg(feature = "pdf")]
mod statement_pdf;
mod users;
mod views;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::from(3);
        }
    };
    let result = runtime.block_on(commands::run(cli));
    bench::report_peak_rss();
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(failure::exit_code(&e))
        }
    }
}
