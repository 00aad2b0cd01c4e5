//! Progress bars of the long-running commands (`conform`, `keys rotate`).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of `total` drawn on stderr with `template` when stderr is a terminal; elsewhere (CI
/// logs, pipes) a hidden one, and the command's plain output lines say it all.
pub fn bar(total: u64, template: &str) -> ProgressBar {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()).with_style(style)
}
