//! `pcn user`: the people who may use the web app and API.

use std::io::BufRead;
use std::path::Path;

use pcn_api::auth;
use pcn_store::Store;
use pcn_store::users::User;
use serde_json::json;

use crate::cli::{FormatArgs, UserAddArgs, UserTokenArgs};
use crate::commands::Usage;
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
    if p.chars().count() < 10 {
        return Err(Usage("the password needs at least 10 characters".into()).into());
    }
    Ok(p)
}

/// Checks a user's role and scope, and stores it with the password hashed.
pub async fn put(store: &Store, args: &UserAddArgs, password: &str) -> anyhow::Result<()> {
    let name = args.username.trim();
    if name.is_empty() || name.len() > 100 || name.chars().any(char::is_whitespace) {
        return Err(Usage(format!("user name {name:?}: 1 to 100 characters, no spaces")).into());
    }
    if !auth::ROLES.contains(&args.role.as_str()) {
        return Err(Usage(format!("--role {:?}: one of {}", args.role, auth::ROLES.join(", "))).into());
    }
    let commissioner = args
        .commissioner
        .as_deref()
        .map(|c| {
            pcn_core::CommissionerCode::parse(c)
                .map(|c| c.to_string())
                .map_err(|e| Usage(format!("--commissioner {c:?}: {e}")))
        })
        .transpose()?;
    let network = args
        .network
        .as_deref()
        .map(|n| {
            pcn_core::NetworkCode::parse(n).map(|n| n.to_string()).map_err(|e| Usage(format!("--network {n:?}: {e}")))
        })
        .transpose()?;
    match (args.role.as_str(), &commissioner, &network) {
        ("commissioner", Some(_), None) | ("network", None, Some(_)) | ("admin", None, None) => {}
        ("commissioner", ..) => {
            return Err(Usage("a commissioner user needs --commissioner (and no --network)".into()).into());
        }
        ("network", ..) => return Err(Usage("a network manager needs --network (and no --commissioner)".into()).into()),
        _ => return Err(Usage("an admin acts everywhere: no --commissioner or --network".into()).into()),
    }
    let user = User {
        username: name.to_string(),
        role: args.role.clone(),
        commissioner,
        network,
        password_hash: auth::hash_password(password),
        disabled: false,
    };
    store.user_put(&user, &auth::now_text()).await?;
    store
        .audit(&auth::now_text(), "cli", "user.put", Some(name), "ok", Some(&json!({"role": args.role}).to_string()))
        .await?;
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
    if !(1..=3650).contains(&args.days) {
        return Err(Usage("--days is 1 to 3650".into()).into());
    }
    let store = Store::open(db).await?;
    if store.user(&args.username).await?.is_none() {
        return Err(Usage(format!("there is no user {:?}", args.username)).into());
    }
    let token = auth::random_token();
    let now = time::OffsetDateTime::now_utc();
    store
        .session_create(
            &auth::digest(&token),
            &args.username,
            "token",
            None,
            &auth::stamp(now),
            &auth::stamp(now + time::Duration::days(args.days)),
        )
        .await?;
    store.audit(&auth::now_text(), "cli", "token.create", Some(&args.username), "ok", None).await?;
    store.close().await;
    println!("{token}");
    Ok(())
}
