//! The browser harness: a chromedriver on a free port, a headless Chromium session through
//! it (fantoccini), and helpers the page suites share (waiting for text, the browser's
//! console log, screenshots). Reusable by any suite that drives pages: the front page and
//! `/docs` here, the admin console's later.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use reqwest::Url;
use serde_json::{Value, json};

/// How long a page element or a text may take to appear before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);
/// How often a condition is checked again while waiting for it.
pub const POLL: Duration = Duration::from_millis(50);

/// A running chromedriver and a Chromium session it drives. Dropping it kills chromedriver
/// (and with it the browser); [`Browser::quit`] first ends the session cleanly.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    driver: DriverGuard,
}

impl Browser {
    /// Starts chromedriver on a free port (`CHROMEDRIVER`, default `chromedriver` on the
    /// `PATH`), waits for its `/status` to say ready, and opens a headless session of the
    /// browser in `CHROME` (default `/usr/bin/chromium`), 1280×900, with its console log
    /// kept for [`Browser::console_log`].
    pub async fn start() -> Browser {
        let port = free_port();
        let program = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let driver = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "{program} could not be started ({e}): install chromium-driver, as .ci/run does"
                )
            });
        let base = format!("http://127.0.0.1:{port}");
        let mut driver = DriverGuard(driver);
        wait_until_ready(&mut driver.0, &base).await;
        let binary = std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binary,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--window-size=1280,900",
                ],
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal")
        };
        // chromedriver is local and plain HTTP: no TLS connector is needed (or built).
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&base)
            .await
            .unwrap_or_else(|e| panic!("no browser session through chromedriver: {e}"));
        Browser { client, driver }
    }

    /// Ends the browser session, then chromedriver.
    pub async fn quit(self) {
        let Browser { client, driver } = self;
        let _ = client.close().await;
        drop(driver);
    }

    /// Opens `url` and waits for `css` to be in the page.
    pub async fn open(&self, url: &str, css: &str) -> fantoccini::elements::Element {
        self.client.goto(url).await.unwrap();
        self.element(css).await
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .every(POLL)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css} within {PATIENCE:?}: {e}"))
    }

    /// The text of the first element matching `css` once it contains `needle` (waiting for
    /// it; pages such as Swagger UI render after loading).
    pub async fn text_containing(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        let mut last = String::new();
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = el.text().await
            {
                if text.contains(needle) {
                    return text;
                }
                last = text;
            }
            assert!(
                Instant::now() < deadline,
                "{css} never contained {needle:?} within {PATIENCE:?}; last text: {last:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// The entries of the browser's console log since the last call (errors, warnings,
    /// failed resource loads, CSP violations), as chromedriver reports them.
    pub async fn console_log(&self) -> Vec<Value> {
        match self.client.issue_cmd(BrowserLog).await.unwrap() {
            Value::Array(entries) => entries,
            other => panic!("the browser log is not a list: {other}"),
        }
    }

    /// Saves a PNG of the window as `<dir>/<name>` when `IDB_SCREENSHOTS=<dir>` is set
    /// (`docs/screenshots/take.sh` sets it); otherwise does nothing.
    pub async fn screenshot(&self, name: &str) {
        let Ok(dir) = std::env::var("IDB_SCREENSHOTS") else {
            return;
        };
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        std::fs::create_dir_all(&dir).unwrap();
        let path = std::path::Path::new(&dir).join(name);
        std::fs::write(&path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
    }
}

/// Kills chromedriver when the browser goes away, even when a test fails half way.
struct DriverGuard(Child);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port nothing listens on now (the OS picks it; chromedriver binds it next).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls chromedriver's `/status` until it reports ready; fails if it exits or takes too
/// long.
async fn wait_until_ready(driver: &mut Child, base: &str) {
    let http = idbridge::http::client();
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(res) = http.get(format!("{base}/status")).send().await
            && let Ok(status) = res.json::<Value>().await
            && status["value"]["ready"] == true
        {
            return;
        }
        if let Ok(Some(exit)) = driver.try_wait() {
            panic!("chromedriver exited before it was ready: {exit}");
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver was not ready within {PATIENCE:?}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// chromedriver's `POST /session/{id}/se/log` for the `browser` log (not in WebDriver
/// proper, so fantoccini has no call for it).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &Url, session: Option<&str>) -> Result<Url, url_error::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

/// `url::ParseError`, named through reqwest (which re-exports only `Url`).
mod url_error {
    /// What `Url::join` fails with.
    pub type ParseError = <reqwest::Url as std::str::FromStr>::Err;
}
