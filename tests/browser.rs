//! # The pages in a real browser
//!
//! The front page (`GET /`), the interactive docs (`/docs`), the admin console (`/console`)
//! and the Jumio capture page of the real server
//! (`TestServer`), driven in headless Chromium through chromedriver (`browser/driver.rs`).
//! Built only with the `ci-tests` feature (`cargo test --features ci-tests --test browser`)
//! because it needs Chromium and chromedriver, which `.ci/run` installs (Debian packages
//! `chromium` and `chromium-driver`; `CHROME` and `CHROMEDRIVER` name other binaries).
//!
//! With `IDB_SCREENSHOTS=<dir>` the tests also save `front.png`, `docs.png`,
//! `console-subject.png` and `capture.png` there
//! (`docs/screenshots/take.sh`).

mod common;
#[path = "browser/console.rs"]
mod console;
#[path = "browser/docs.rs"]
mod docs;
#[path = "browser/driver.rs"]
pub mod driver;
#[path = "browser/front.rs"]
mod front;
