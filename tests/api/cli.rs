//! The `idbridge` binary itself: start-up refusals, `openapi`, and `serve` stopping on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_idbridge");

/// `idbridge serve` in a fresh folder holding the shipped configuration (with `tls` put into
/// its `[server]` table, when given), on an ephemeral port, logging at `log_level`.
struct Serve {
    child: std::process::Child,
    lines: std::io::Lines<BufReader<std::process::ChildStderr>>,
    /// Every line read so far.
    seen: Vec<String>,
    dir: tempfile::TempDir,
}

impl Serve {
    fn start(log_level: &str, tls: Option<&str>) -> Serve {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("config")).unwrap();
        let shipped =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/idbridge.toml"))
                .unwrap();
        let config = match tls {
            // The [server] table must hold the tls sub-table: before [storage] is inside it.
            Some(tls) => shipped.replacen("\n[storage]", &format!("{tls}\n[storage]"), 1),
            None => shipped,
        };
        std::fs::write(dir.path().join("config/idbridge.toml"), config).unwrap();
        let mut child = Command::new(BIN)
            .arg("serve")
            .env("IDBRIDGE_SERVER__LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", log_level)
            .current_dir(dir.path())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = BufReader::new(child.stderr.take().unwrap()).lines();
        Serve {
            child,
            lines,
            seen: Vec::new(),
            dir,
        }
    }

    /// Reads the log up to the line containing `marker`; the `addr=` it names.
    fn addr(&mut self, marker: &str) -> String {
        loop {
            let line = self
                .lines
                .next()
                .expect("serve exited before listening")
                .unwrap();
            self.seen.push(line.clone());
            if line.contains(marker) {
                let at = line.find("addr=").unwrap();
                return line[at + 5..].split_whitespace().next().unwrap().to_owned();
            }
        }
    }

    /// Sends `signal` (e.g. `-HUP`).
    fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// SIGTERM, then the rest of the log; panics unless the process exits with success.
    fn stop(mut self) -> Vec<String> {
        self.signal("-TERM");
        let rest: Vec<String> = self.lines.map(Result::unwrap).collect();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "exit {status:?}: {rest:?}");
        rest
    }
}

#[test]
fn a_bad_configuration_stops_start_up_with_one_line_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "[server]\nlisten = \"127.0.0.1:0\"\nlisten_port = 3\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&file)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("listen_port"), "{err}");
    let out = Command::new(BIN)
        .args(["serve"])
        .env("IDBRIDGE_STORAGE__MASTER_KEY", "short")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("storage.master_key")
    );
}

#[test]
fn openapi_writes_the_committed_documents() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["openapi", "--out"])
        .arg(dir.path())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "admin.json",
            "jumio.json",
            "masstack.json",
            "mydocs.json",
            "ncore.json",
            "passfort.json"
        ]
    );
    for name in names {
        let written = std::fs::read_to_string(dir.path().join(&name)).unwrap();
        let committed =
            std::fs::read_to_string(format!("{}/openapi/{name}", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
        assert!(
            written == committed,
            "openapi/{name} is stale: run `cargo run -- openapi` and commit it"
        );
    }
}

#[test]
fn serve_starts_answers_and_exits_cleanly_on_sigterm() {
    let mut serve = Serve::start("info", None);
    let addr = serve.addr("addr=");
    let seen = &serve.seen;
    assert!(
        seen.iter().any(|l| l.contains("DEMO KEYS ARE ACTIVE")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|l| l.contains("master key: created key file")),
        "{seen:?}"
    );
    assert!(serve.dir.path().join("idbridge-master.key").exists());
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    std::io::Write::write_all(
        &mut stream,
        b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let rest = serve.stop();
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
}

#[cfg(unix)]
#[test]
fn certs_makes_a_ca_once_and_keeps_private_keys_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = run(&[
        "certs",
        "--out",
        "tls",
        "--host",
        "account.amer-1.jumio.ai",
        "--host",
        "127.0.0.1",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("made CA"), "{text}");
    for how in [
        "curl --cacert",
        "REQUESTS_CA_BUNDLE=",
        "NODE_EXTRA_CA_CERTS=",
        "SSL_CERT_FILE=",
    ] {
        assert!(text.contains(how), "no {how} in {text}");
    }
    for key in ["ca.key", "server.key"] {
        let mode = std::fs::metadata(dir.path().join("tls").join(key))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{key}");
    }
    let ca = std::fs::read(dir.path().join("tls/ca.pem")).unwrap();
    // A second run for more names keeps the CA, so clients need not trust a new one.
    let out = run(&["certs", "--out", "tls", "--host", "documents.masstack.com"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("reused CA")
    );
    assert_eq!(std::fs::read(dir.path().join("tls/ca.pem")).unwrap(), ca);
    // Inside the data directory (./data by default) is refused: keys stay apart from data.
    let out = run(&["certs", "--out", "data/tls"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("storage.data_dir"));
    assert!(!dir.path().join("data/tls").exists());
}

#[test]
fn hash_password_prints_an_argon2id_hash_that_configuration_accepts() {
    let mut child = Command::new(BIN)
        .arg("hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"a good long password\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let hash = String::from_utf8(out.stdout).unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(idbridge::auth::password::is_hash(hash.trim()));
    assert!(!hash.contains("a good long password"));
}

/// `serve` with `[server.tls]`: both listeners answer, and SIGHUP loads a renewed
/// certificate (the file watcher is set to an hour, so only the signal can have done it).
#[cfg(unix)]
#[tokio::test]
async fn serve_reloads_its_certificate_on_sighup() {
    let certs = tempfile::tempdir().unwrap();
    let issued = idbridge::certs::issue(certs.path(), &["localhost".to_owned()]).unwrap();
    let tls = format!(
        "\n[server.tls]\nlisten = \"127.0.0.1:0\"\ncert = \"{}\"\nkey = \"{}\"\nreload_check_secs = 3600\n",
        issued.server_cert.display(),
        issued.server_key.display()
    );
    let mut serve = Serve::start("info", Some(&tls));
    let https = serve.addr("listening (https)");
    let port = https.rsplit(':').next().unwrap().to_owned();
    let client = crate::common::sdk_client(&issued.ca_cert, &["renewed.example.test"]);
    let url = format!("https://renewed.example.test:{port}/healthz");
    assert!(client.get(&url).send().await.is_err());
    idbridge::certs::issue(
        certs.path(),
        &["localhost".to_owned(), "renewed.example.test".to_owned()],
    )
    .unwrap();
    serve.signal("-HUP");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Ok(res) = client.get(&url).send().await {
            assert_eq!(res.status(), 200);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "SIGHUP did not reload the certificate"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let rest = serve.stop();
    assert!(
        rest.iter()
            .any(|l| l.contains("certificate reloaded (SIGHUP)")),
        "{rest:?}"
    );
}

/// Every sign-in flow run against the real binary at `debug` log level: no password, token,
/// client secret, assertion or private key appears in what it logs.
#[tokio::test]
async fn secrets_of_the_sign_in_flows_never_reach_the_log() {
    use base64::Engine as _;
    let mut serve = Serve::start("debug", None);
    let addr = serve.addr("listening (http)");
    let base = format!("http://{addr}");
    let c = idbridge::http::client();
    let admin = "demo-admin-key";
    let password = "Tr0ub4dor&3-horse-battery";
    let mut secrets: Vec<String> = vec![
        password.into(),
        "demo-jumio-secret".into(),
        "demo-backoffice-password".into(),
        admin.into(),
    ];
    let subject: serde_json::Value = c
        .post(format!("{base}/admin/v1/subjects"))
        .bearer_auth(admin)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = c
        .post(format!(
            "{base}/admin/v1/subjects/{}/client-accounts",
            subject["id"].as_str().unwrap()
        ))
        .bearer_auth(admin)
        .json(&serde_json::json!({"email": "log-test@example.com", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let wizard: serde_json::Value = c
        .get(format!("{base}/api/v2/my/signin/wizard"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fingerprint =
        base64::engine::general_purpose::STANDARD.encode(br#"{"user_agent":"log-test"}"#);
    for attempt in ["a wrong password", password] {
        let pair: serde_json::Value = c
            .post(format!("{base}/api/v2/my/signin"))
            .json(
                &serde_json::json!({"uuid": wizard["uuid"], "email": "log-test@example.com",
                "password": attempt, "device_fingerprint": fingerprint}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for token in ["accessToken", "refreshToken"] {
            if let Some(t) = pair[token]["token"].as_str() {
                secrets.push(t.to_owned());
            }
        }
    }
    assert_eq!(secrets.len(), 6, "the sign-in gave a pair");
    let backoffice: serde_json::Value = c
        .post(format!("{base}/api/v2/signin"))
        .json(&serde_json::json!({"email": "demo-backoffice@example.com", "password": "demo-backoffice-password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    secrets.push(
        backoffice["accessToken"]["token"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let jumio = c
        .post(format!("{base}/api/v1/accounts"))
        .header("user-agent", "log-test/1.0")
        .basic_auth("demo-jumio-client", Some("demo-jumio-secret"))
        .json(&serde_json::json!({"customerInternalReference": "LOG", "workflowDefinition": {"key": 2}}))
        .send()
        .await
        .unwrap();
    assert_eq!(jumio.status(), 200);
    let file: serde_json::Value = c
        .post(format!("{base}/admin/v1/service-accounts"))
        .bearer_auth(admin)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let private_key = file["private_key"].as_str().unwrap();
    secrets.extend(
        private_key
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::to_owned),
    );
    let now = chrono::Utc::now().timestamp();
    let claims = serde_json::json!({"iss": file["client_email"], "aud": file["token_uri"],
        "iat": now, "exp": now + 3600});
    let assertion = idbridge::auth::keys::sign_rs256(
        &claims,
        file["private_key_id"].as_str().unwrap(),
        private_key,
    )
    .unwrap();
    let token: serde_json::Value = c
        .post(
            file["token_uri"]
                .as_str()
                .unwrap()
                .replace("http://127.0.0.1:8080", &base),
        )
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = token["access_token"].as_str().expect("an access token");
    // Each JWT's signature is what must stay secret-free in the log.
    secrets.push(assertion.rsplit('.').next().unwrap().to_owned());
    secrets.push(access.rsplit('.').next().unwrap().to_owned());
    let identification = c
        .post(format!(
            "{base}/v1/orgs/demo-org/identifications/identity_document"
        ))
        .bearer_auth(access)
        .json(&serde_json::json!({"identity_document": {"document_number": "12345678Z", "document_type": "NIF"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(identification.status(), 200);
    let mut log = serve.seen.clone();
    log.extend(serve.stop());
    let log = log.join("\n");
    assert!(
        log.contains("/api/v2/my/signin"),
        "requests are logged: {log}"
    );
    for secret in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "a secret ({} chars) is in the log",
            secret.len()
        );
    }
    assert!(
        !log.contains("12345678Z"),
        "a document number is in the log"
    );
}
