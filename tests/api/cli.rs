//! The `idbridge` binary itself: start-up refusals, `openapi`, and `serve` stopping on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_idbridge");

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
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/idbridge.toml"))
            .unwrap();
    std::fs::write(dir.path().join("config/idbridge.toml"), shipped).unwrap();
    let mut child = Command::new(BIN)
        .arg("serve")
        .env("IDBRIDGE_SERVER__LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let addr = loop {
        let line = lines
            .next()
            .expect("serve exited before listening")
            .unwrap();
        seen.push(line.clone());
        if let Some(at) = line.find("addr=") {
            break line[at + 5..].split_whitespace().next().unwrap().to_owned();
        }
    };
    assert!(
        seen.iter().any(|l| l.contains("DEMO KEYS ARE ACTIVE")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|l| l.contains("master key: created key file")),
        "{seen:?}"
    );
    assert!(dir.path().join("idbridge-master.key").exists());
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    std::io::Write::write_all(
        &mut stream,
        b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    let status = child.wait().unwrap();
    assert!(status.success(), "exit {status:?}: {rest:?}");
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
}
