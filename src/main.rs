//! The `idbridge` command: `serve`, `openapi`, `conform`, `certs`, `hash-password`,
//! `vocabulary`, `store copy`, `keys`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use idbridge::config::Config;

/// One server that speaks five identity-document vendor APIs over one store.
#[derive(Parser)]
#[command(name = "idbridge", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server.
    Serve {
        /// Configuration file (default: config/idbridge.toml if present).
        #[arg(long, env = "IDBRIDGE_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Write every generated OpenAPI document as <name>.json.
    Openapi {
        /// Output directory.
        #[arg(long, default_value = "openapi")]
        out: PathBuf,
        /// Configuration file (mount prefixes and enabled APIs come from it).
        #[arg(long, env = "IDBRIDGE_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Run the conformance kit against a server.
    Conform {
        /// Base URL of the server under test.
        #[arg(long)]
        base_url: String,
        /// Run only this suite (a folder under the kit's root).
        #[arg(long)]
        suite: Option<String>,
        /// A variable for the cases, as KEY=VALUE (repeatable).
        #[arg(long = "var", value_parser = parse_var)]
        vars: Vec<(String, String)>,
        /// The kit's root folder.
        #[arg(long, default_value = "conformance")]
        root: PathBuf,
        /// OpenAPI documents every response must keep: a file, a folder of `*.json` files or
        /// a URL such as `http://host/openapi/ncore.json` (repeatable).
        #[arg(long = "openapi")]
        openapi: Vec<String>,
        /// A CA certificate (PEM) to trust for an `https://` base URL, such as the one
        /// `idbridge certs` made.
        #[arg(long)]
        ca_cert: Option<PathBuf>,
    },
    /// Make a local CA and a server certificate for vendor host names (for `[server.tls]`).
    Certs {
        /// A DNS name or IP address the certificate is for (repeatable; default: loopback
        /// and every vendor host idbridge speaks for).
        #[arg(long = "host")]
        hosts: Vec<String>,
        /// Folder for the files; must be outside the data directory.
        #[arg(long, default_value = "certs")]
        out: PathBuf,
        /// Configuration file (its data directory is kept apart from the certificates).
        #[arg(long, env = "IDBRIDGE_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Hash a password read from standard input, for `b2core_backoffice` users.
    HashPassword,
    /// Print docs/vocabulary.md: canonical kinds and sides against every vendor's names.
    Vocabulary {
        /// Configuration file whose mydocs type table to use (default: the built-in table,
        /// as in the checked-in document).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Work on a store as a whole.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// The store's master keys: status, online rotation, retirement of an old key.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// The audit trail: check its hash chains, export a tenant's events.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check each tenant's hash chain from its first event: exits 1 at the first event that
    /// is missing, altered or out of place, naming it.
    Verify {
        /// Configuration file of the store.
        #[arg(long, env = "IDBRIDGE_CONFIG")]
        config: PathBuf,
        /// Only this tenant's chain.
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Write a tenant's events as JSON Lines (one event per line, oldest first) to standard
    /// output.
    Export {
        /// Configuration file of the store.
        #[arg(long, env = "IDBRIDGE_CONFIG")]
        config: PathBuf,
        /// The tenant.
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// The configured and current key, each rotation, and how many files each key wraps.
    Status {
        /// Configuration file of the store.
        #[arg(long, env = "IDBRIDGE_CONFIG")]
        config: PathBuf,
    },
    /// Introduce a new master key and re-wrap every file's data key under it, while the nodes
    /// keep serving (blobs are not rewritten). Run it again to finish a rotation that stopped.
    Rotate {
        /// Configuration file of the store (its master key opens the current key).
        #[arg(long, env = "IDBRIDGE_CONFIG")]
        config: PathBuf,
        /// File holding the new key (base64 of 32 bytes); created with a fresh random key,
        /// mode 0600, when absent. Leave it out to finish an unfinished rotation.
        #[arg(long)]
        new_key_file: Option<PathBuf>,
    },
    /// Delete what an old key opens in the store, once a rotation away from it has completed
    /// and every node is configured with the new key.
    Retire {
        /// Configuration file of the store (already naming the new key).
        #[arg(long, env = "IDBRIDGE_CONFIG")]
        config: PathBuf,
        /// The old key's id, as `idbridge keys status` shows it.
        #[arg(long)]
        key_id: String,
    },
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Copy everything in one store into another (e.g. SQLite and files onto PostgreSQL and
    /// S3), blobs re-encrypted under the destination's master key. Rows already in the
    /// destination are skipped, so running it again completes a copy that stopped. Ends with
    /// `N copied, M skipped, K failed`; exits non-zero when K > 0.
    Copy {
        /// Configuration file of the store to copy from (no node may be running on it).
        #[arg(long)]
        from: PathBuf,
        /// Configuration file of the store to copy into (migrated as at start-up; start its
        /// nodes once the copy has finished).
        #[arg(long)]
        to: PathBuf,
    },
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("expected KEY=VALUE, got {s:?}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { config } => {
            let config = Config::load(config.as_deref())?;
            tracing::info!("configuration loaded");
            idbridge::server::run(config).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi { out, config } => {
            let config = Config::load(config.as_deref())?;
            std::fs::create_dir_all(&out)?;
            for (name, doc) in idbridge::adapters::openapi_documents(&config) {
                let path = out.join(format!("{name}.json"));
                std::fs::write(&path, idbridge::adapters::render_openapi(&doc)?)?;
                println!("wrote {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Conform {
            base_url,
            suite,
            vars,
            root,
            openapi,
            ca_cert,
        } => {
            let contracts = if openapi.is_empty() {
                None
            } else {
                Some(std::sync::Arc::new(
                    idbridge::conform::load_contracts(&openapi).await?,
                ))
            };
            let opts = idbridge::conform::Options {
                base_url,
                root,
                suite,
                vars: vars.into_iter().collect::<BTreeMap<_, _>>(),
                contracts,
                ca_cert,
            };
            let report = idbridge::conform::run(&opts, &mut std::io::stdout()).await?;
            Ok(if report.failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Certs { hosts, out, config } => {
            let config = Config::load(config.as_deref())?;
            if idbridge::config::is_within(&out, &config.storage.data_dir) {
                anyhow::bail!(
                    "--out {} is inside storage.data_dir: keep private keys apart from the data",
                    out.display()
                );
            }
            let hosts = if hosts.is_empty() {
                idbridge::certs::default_hosts()
            } else {
                hosts
            };
            let issued = idbridge::certs::issue(&out, &hosts)?;
            println!(
                "{} {}\nwrote {} and {} for {}\n",
                if issued.ca_reused {
                    "reused CA"
                } else {
                    "made CA"
                },
                issued.ca_cert.display(),
                issued.server_cert.display(),
                issued.server_key.display(),
                hosts.join(", ")
            );
            print!("{}", idbridge::certs::instructions(&issued));
            Ok(ExitCode::SUCCESS)
        }
        Command::HashPassword => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            idbridge::auth::password::check_new(&password)?;
            println!("{}", idbridge::auth::password::hash(password).await?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Vocabulary { config } => {
            // Without --config the built-in tables, so the output does not depend on a
            // local configuration file or the environment.
            let config = match config {
                Some(path) => Config::load(Some(&path))?,
                None => Config::default(),
            };
            print!("{}", idbridge::vocabulary::markdown(&config));
            Ok(ExitCode::SUCCESS)
        }
        Command::Store {
            command: StoreCommand::Copy { from, to },
        } => {
            let tally = idbridge::store_copy::run(&from, &to).await?;
            println!("{tally}");
            Ok(if tally.failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Keys { command } => {
            use idbridge::keys_cli;
            print!(
                "{}",
                match command {
                    KeysCommand::Status { config } => keys_cli::status(&config).await?,
                    KeysCommand::Rotate {
                        config,
                        new_key_file,
                    } => keys_cli::rotate(&config, new_key_file.as_deref()).await?,
                    KeysCommand::Retire { config, key_id } =>
                        keys_cli::retire(&config, &key_id).await?,
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command } => match command {
            AuditCommand::Verify { config, tenant } => {
                let (report, intact) =
                    idbridge::audit_cli::verify(&config, tenant.as_deref()).await?;
                print!("{report}");
                Ok(if intact {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                })
            }
            AuditCommand::Export { config, tenant } => {
                let n =
                    idbridge::audit_cli::export(&config, &tenant, &mut std::io::stdout().lock())
                        .await?;
                eprintln!("{n} events exported");
                Ok(ExitCode::SUCCESS)
            }
        },
    }
}
