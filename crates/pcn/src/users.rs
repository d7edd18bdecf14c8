//! `pcn user`: the people who may use the web app and API.

use std::io::BufRead;
use std::path::Path;

use pcn_store::Store;
use pcn_workbench::accounts::{self, NewUser, NotSaved};
use serde_json::json;

use crate::cli::{FormatArgs, UserAddArgs, UserTokenArgs};
use crate::failure::Usage;
use crate::output::Listing;

fn password(from_stdin: bool) -> anyhow::Result<String> {
    let p = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        std::env::var("PCN_PASSWORD").map_err(|_| {
            Usage("give the password on standard input with --password-stdin, or in PCN_PASSWORD".into())
        })?
    };
    accounts::password_ok(&p).map_err(not_saved)?;
    Ok(p)
}

fn not_saved(e: NotSaved) -> anyhow::Error {
    match e {
        NotSaved::Invalid(m) => Usage(m).into(),
        NotSaved::Store(e) => e.into(),
    }
}

/// Checks a user's role and scope, and stores it with the password hashed.
pub async fn put(store: &Store, args: &UserAddArgs, password: &str) -> anyhow::Result<()> {
    let new = NewUser {
        username: &args.username,
        role: args.role,
        commissioner: args.commissioner.as_ref(),
        network: args.network.as_ref(),
        password,
    };
    accounts::put_user(store, &new, "cli").await.map_err(not_saved)?;
    Ok(())
}

pub async fn add(db: &Path, args: UserAddArgs) -> anyhow::Result<()> {
    let password = password(args.password_stdin)?;
    let store = Store::open(db).await?;
    put(&store, &args, &password).await?;
    store.close().await;
    eprintln!("User {} ({}) saved.", args.username.trim(), args.role);
    Ok(())
}

pub async fn list(db: &Path, format: FormatArgs) -> anyhow::Result<()> {
    let store = Store::open(db).await?;
    let users = store.users().await?;
    store.close().await;
    let mut l = Listing::new("users", vec!["username", "role", "commissioner", "network", "disabled"]);
    for u in users {
        l.rows.push(vec![json!(u.username), json!(u.role), json!(u.commissioner), json!(u.network), json!(u.disabled)]);
    }
    l.print(format)
}

pub async fn token(db: &Path, args: UserTokenArgs) -> anyhow::Result<()> {
    let store = Store::open(db).await?;
    let token = accounts::mint_token(&store, &args.username, args.days, "cli").await.map_err(not_saved)?;
    store.close().await;
    println!("{token}");
    Ok(())
}
