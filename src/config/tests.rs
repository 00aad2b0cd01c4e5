//! Configuration layering and refusal tests. `figment::Jail` gives each test its own working
//! directory and environment, so tests cannot see each other's variables.

#![allow(
    clippy::result_large_err,
    reason = "figment::Jail closures must return figment::Error"
)]

use figment::Jail;

use super::*;

const FILE: &str = r#"
[server]
listen = "127.0.0.1:9001"

[storage]
data_dir = "store"
master_key_file = "keys/master.key"

[[tenants]]
id = "acme"
api_keys = ["acme-api-key-1"]
jumio = { client_id = "acme-client", client_secret = "acme-secret" }

[[admin_keys]]
tenant = "acme"
key = "acme-admin-key"
"#;

/// Writes the default configuration file inside the jail.
fn write_config(jail: &mut Jail, text: &str) {
    jail.create_dir("config").unwrap();
    jail.create_file(DEFAULT_FILE, text).unwrap();
}

fn load_err(jail: &mut Jail, file: &str) -> String {
    write_config(jail, file);
    Config::load(None).unwrap_err().to_string()
}

#[test]
fn defaults_apply_without_a_file() {
    Jail::expect_with(|_| {
        let c = Config::load(None).unwrap();
        assert_eq!(c.server.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.storage.data_dir, PathBuf::from("./data"));
        assert_eq!(c.storage.metadata_url(), "sqlite://./data/idbridge.db");
        assert!(c.adapters.admin.enabled);
        assert_eq!(c.adapters.admin.prefix, "/admin/v1");
        assert!(c.tenants.is_empty());
        Ok(())
    });
}

#[test]
fn the_file_overrides_defaults() {
    Jail::expect_with(|jail| {
        write_config(jail, FILE);
        let c = Config::load(None).unwrap();
        assert_eq!(c.server.listen.port(), 9001);
        assert_eq!(
            c.server.request_timeout_secs, 300,
            "unset keys keep their default"
        );
        assert_eq!(c.storage.blob_dir(), PathBuf::from("store/blobs"));
        assert_eq!(c.tenants[0].id, "acme");
        assert_eq!(c.admin_keys[0].tenant, "acme");
        assert!(!c.demo_keys_active());
        Ok(())
    });
}

#[test]
fn an_explicit_file_is_used_and_must_exist() {
    Jail::expect_with(|jail| {
        jail.create_file("other.toml", "[server]\nlisten = \"127.0.0.1:7000\"\n")?;
        assert_eq!(
            Config::load(Some(Path::new("other.toml")))
                .unwrap()
                .server
                .listen
                .port(),
            7000
        );
        let e = Config::load(Some(Path::new("missing.toml")))
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.toml"), "{e}");
        Ok(())
    });
}

#[test]
fn environment_overrides_the_file() {
    Jail::expect_with(|jail| {
        write_config(jail, FILE);
        jail.set_env("IDBRIDGE_SERVER__LISTEN", "127.0.0.1:9999");
        jail.set_env("IDBRIDGE_STORAGE__SWEEP_GRACE_SECS", "5");
        jail.set_env("IDBRIDGE_CONFIG", "ignored-here.toml");
        let c = Config::load(None).unwrap();
        assert_eq!(c.server.listen.port(), 9999);
        assert_eq!(c.storage.sweep_grace_secs, 5);
        Ok(())
    });
}

#[test]
fn unknown_keys_are_refused_by_name() {
    Jail::expect_with(|jail| {
        let e = load_err(
            jail,
            "[server]\nlisten = \"127.0.0.1:1\"\nlisten_port = 3\n",
        );
        assert!(e.contains("listen_port"), "{e}");
        assert_eq!(e.lines().count(), 1, "one line: {e}");
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.set_env("IDBRIDGE_SERVR__LISTEN", "127.0.0.1:1");
        let e = Config::load(None).unwrap_err().to_string();
        assert!(e.contains("servr"), "{e}");
        Ok(())
    });
}

#[test]
fn malformed_values_are_refused_by_name() {
    Jail::expect_with(|jail| {
        let e = load_err(jail, "[server]\nlisten = \"not an address\"\n");
        assert!(e.contains("listen"), "{e}");
        Ok(())
    });
}

#[test]
fn missing_secrets_and_bad_references_are_refused() {
    Jail::expect_with(|jail| {
        let e = load_err(
            jail,
            "[[tenants]]\nid = \"a\"\njumio = { client_id = \"c\" }\n",
        );
        assert!(e.contains("tenants[0].jumio.client_secret"), "{e}");
        let e = load_err(
            jail,
            "[[admin_keys]]\ntenant = \"nobody\"\nkey = \"long-enough-key\"\n",
        );
        assert!(e.contains("admin_keys[0].tenant"), "{e}");
        let e = load_err(
            jail,
            "[storage]\nmaster_key_file = \"data/master.key\"\ndata_dir = \"data\"\n",
        );
        assert!(e.contains("storage.master_key_file"), "{e}");
        let e = load_err(
            jail,
            "[[tenants]]\nid = \"a\"\napi_keys = [\"same-key-1\"]\n[[tenants]]\nid = \"b\"\napi_keys = [\"same-key-1\"]\n",
        );
        assert!(e.contains("tenants[1].api_keys"), "{e}");
        let e = load_err(
            jail,
            "[[tenants]]\nid = \"a\"\nmasstack_orgs = [\"o\"]\n[[tenants]]\nid = \"b\"\nmasstack_orgs = [\"o\"]\n",
        );
        assert!(e.contains("tenants[1].masstack_orgs"), "{e}");
        Ok(())
    });
}

#[test]
fn the_shipped_file_loads_and_is_marked_demo() {
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/idbridge.toml"))
            .unwrap();
    Jail::expect_with(|jail| {
        write_config(jail, &shipped);
        let c = Config::load(None).unwrap();
        assert_eq!(c.server.listen.to_string(), "127.0.0.1:8080");
        assert!(c.demo_keys_active());
        assert!(!c.tenants.is_empty());
        Ok(())
    });
}

#[test]
fn a_mydocs_type_table_is_loaded_and_checked() {
    let entry = |id: u32, kind: &str| {
        format!(
            "[[adapters.mydocs.document_types]]\nid = {id}\nname = \"T{id}\"\nkind = \"{kind}\"\ngroup = \"G\"\n"
        )
    };
    Jail::expect_with(|jail| {
        write_config(jail, &(entry(5, "passport") + &entry(6, "other")));
        let c = Config::load(None).unwrap();
        let types = c.adapters.mydocs.document_types.unwrap();
        assert_eq!((types[0].id, types[0].max_files), (5, 3));
        assert!(c.adapters.mydocs.enabled, "the mount keeps its defaults");
        let e = load_err(jail, &(entry(5, "passport") + &entry(5, "other")));
        assert!(e.contains("document_types[1].id"), "{e}");
        let e = load_err(jail, &(entry(5, "pasport") + &entry(6, "other")));
        assert!(e.contains("document_types[0].kind"), "{e}");
        let e = load_err(jail, &entry(5, "passport"));
        assert!(e.contains("\"other\""), "{e}");
        // The optional fields of B2Core's Document Type shape: one of the sample's entries.
        let sample = "[[adapters.mydocs.document_types]]\nid = 5\nname = \"Tax Invoice\"\n\
                      description = \"Tax Invoice \"\nkind = \"tax_document\"\n\
                      category = \"proof_of_address\"\ngroup = \"Proof of address\"\n\
                      group_id = 3\npriority = 4\ndefault_for_kind = true\n";
        write_config(jail, &(sample.to_owned() + &entry(6, "other")));
        let types = Config::load(None)
            .unwrap()
            .adapters
            .mydocs
            .document_types
            .unwrap();
        let t = &types[0];
        assert_eq!(
            (t.description.as_deref(), t.category.as_deref()),
            (Some("Tax Invoice "), Some("proof_of_address"))
        );
        assert_eq!(
            (t.group_id, t.priority, t.default_for_kind),
            (Some(3), Some(4), true)
        );
        assert_eq!((types[1].group_id, types[1].priority), (None, None));
        let bad = sample.replace("proof_of_address", "address");
        let e = load_err(jail, &(bad + &entry(6, "other")));
        assert!(e.contains("document_types[0].category"), "{e}");
        let clash = entry(6, "other").replace("\"G\"", "\"Proof of address\"\ngroup_id = 4");
        let e = load_err(jail, &(sample.to_owned() + &clash));
        assert!(e.contains("document_types[1].group_id"), "{e}");
        // Unused uploads: 24 hours, 20 per client, swept every 10 minutes by default.
        write_config(jail, "");
        let m = Config::load(None).unwrap().adapters.mydocs;
        assert_eq!(
            (
                m.upload_ttl_secs,
                m.max_pending_uploads,
                m.upload_sweep_interval_secs
            ),
            (86_400, 20, 600)
        );
        let e = load_err(jail, "[adapters.mydocs]\nupload_sweep_interval_secs = 0\n");
        assert!(e.contains("upload_sweep_interval_secs"), "{e}");
        // Callbacks: a claim outlasts one attempt, or two nodes could deliver one callback.
        write_config(jail, "");
        let j = Config::load(None).unwrap().adapters.jumio;
        assert_eq!(
            (
                j.callback_timeout_secs,
                j.callback_claim_secs,
                j.callback_poll_ms
            ),
            (10, 30, 1000)
        );
        let e = load_err(jail, "[adapters.jumio]\ncallback_claim_secs = 10\n");
        assert!(e.contains("callback_claim_secs must exceed"), "{e}");
        Ok(())
    });
}

#[test]
fn sign_in_settings_are_loaded_and_checked() {
    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$mMMlf1EWwN9xf5RtM0JpNw$ofF7V34DV3lRaW5dSXQvs/yu+eGJcYxNABIeB3cYWkw";
    Jail::expect_with(|jail| {
        let tenant_extra = format!(
            "b2core_hosts = [\"my.broker.example\"]\nb2core_backoffice = [{{ email = \"ops@acme.example\", password_hash = \"{HASH}\" }}]\n"
        );
        let file = FILE.replacen(
            "\n[[admin_keys]]",
            &format!("\n{tenant_extra}\n[[admin_keys]]"),
            1,
        ) + "\n[server.tls]\nlisten = \"127.0.0.1:9443\"\ncert = \"tls/server.pem\"\nkey = \"tls/server.key\"\n\
               \n[server.sign_in_limits]\nfailures_per_account = 3\n\
               \n[adapters.masstack]\ntoken_path = \"/authn/token\"\n";
        write_config(jail, &file);
        let c = Config::load(None).unwrap();
        let tls = c.server.tls.as_ref().unwrap();
        assert_eq!(tls.listen.port(), 9443);
        assert_eq!(tls.reload_check_secs, 10, "the default");
        assert_eq!(c.server.sign_in_limits.failures_per_account, 3);
        assert_eq!(c.server.sign_in_limits.failures_per_address, 50);
        assert_eq!(c.adapters.masstack.token_path, "/authn/token");
        assert_eq!(
            c.adapters.masstack.prefix, "/v1",
            "the rest keeps its default"
        );
        assert_eq!(c.tenants[0].b2core_hosts, ["my.broker.example"]);
        assert_eq!(c.tenants[0].b2core_backoffice[0].email, "ops@acme.example");
        assert!(
            !format!("{c:?}").contains(HASH),
            "the hash stays out of Debug output"
        );
        Ok(())
    });
    for (bad, key) in [
        ("password_hash = \"plain-text\"", "password_hash"),
        (
            "password_hash = \"$2b$12$abcdefghijklmnopqrstuuOZ7GSt0rJ8bmtxKGy1YoGcJ9c1CB5Gm\"",
            "password_hash",
        ),
    ] {
        Jail::expect_with(|jail| {
            let extra =
                format!("b2core_backoffice = [{{ email = \"ops@acme.example\", {bad} }}]\n");
            let e = load_err(
                jail,
                &FILE.replacen("\n[[admin_keys]]", &format!("\n{extra}\n[[admin_keys]]"), 1),
            );
            assert!(e.contains(key), "{e}");
            Ok(())
        });
    }
    Jail::expect_with(|jail| {
        let e = load_err(
            jail,
            &format!("{FILE}\n[adapters.masstack]\ntoken_path = \"oauth2/token\"\n"),
        );
        assert!(e.contains("adapters.masstack.token_path"), "{e}");
        Ok(())
    });
    Jail::expect_with(|jail| {
        let e = load_err(
            jail,
            &format!("{FILE}\n[server.sign_in_limits]\nwindow_secs = 0\n"),
        );
        assert!(e.contains("server.sign_in_limits"), "{e}");
        Ok(())
    });
    Jail::expect_with(|jail| {
        let e = load_err(
            jail,
            &format!(
                "{FILE}\n[server.tls]\nlisten = \"127.0.0.1:9001\"\ncert = \"a\"\nkey = \"b\"\n"
            ),
        );
        assert!(e.contains("server.tls.listen"), "{e}");
        Ok(())
    });
}

#[test]
fn an_s3_blob_url_is_read_with_its_settings_and_the_environment_fills_the_secret() {
    Jail::expect_with(|jail| {
        write_config(
            jail,
            "[storage]\nblob_url = \"s3://idbridge-blobs/prod/eu\"\n[storage.s3]\nendpoint = \"http://127.0.0.1:3900\"\nallow_http = true\n",
        );
        jail.set_env("IDBRIDGE_STORAGE__S3__SECRET_ACCESS_KEY", "from-the-env");
        let c = Config::load(None).unwrap();
        assert_eq!(
            BlobUrl::parse(c.storage.blob_url.as_deref().unwrap()).unwrap(),
            BlobUrl {
                bucket: "idbridge-blobs".into(),
                prefix: "prod/eu".into(),
            }
        );
        assert_eq!(
            c.storage.s3.endpoint.as_deref(),
            Some("http://127.0.0.1:3900")
        );
        assert!(c.storage.s3.allow_http);
        let secret = c.storage.s3.secret_access_key.as_ref().unwrap();
        assert_eq!(secret.expose(), "from-the-env");
        // The secret never reaches a debug print of the configuration.
        assert!(!format!("{c:?}").contains("from-the-env"));
        Ok(())
    });
}

#[test]
fn a_blob_url_that_is_not_one_bucket_is_refused_by_name() {
    Jail::expect_with(|jail| {
        for url in [
            "https://bucket/x",
            "s3://",
            "s3://UPPER",
            "s3://ok-bucket/a/../b",
        ] {
            let e = load_err(jail, &format!("[storage]\nblob_url = \"{url}\"\n"));
            assert!(e.contains("storage.blob_url"), "{url}: {e}");
        }
        let e = load_err(
            jail,
            "[storage]\nblob_url = \"s3://bucket\"\nblob_dir = \"blobs\"\n",
        );
        assert!(e.contains("storage.blob_url and storage.blob_dir"), "{e}");
        Ok(())
    });
}
