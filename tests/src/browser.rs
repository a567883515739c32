//! Driving headless Chromium through WebDriver, in the widget's terms:
//! what the log shows, the chat's status, typing and sending.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

use crate::deployment::DEADLINE;

/// How often a browser-side condition is checked while waiting for it.
const CHECK_INTERVAL: Duration = Duration::from_millis(50);

/// Opens a headless Chromium session through chromedriver on `port`, with
/// a fresh profile in `profile`.
pub async fn open_browser(port: u16, profile: &Path) -> Client {
    // Without these flags Chromium, as root in a closed network, either
    // refuses to start or hangs on connections to Google's services.
    let args = [
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        format!("--user-data-dir={}", profile.display()),
        "--window-size=1280,900".to_owned(),
    ];
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args },
        // Leave any dialog open, so that the test can see it.
        "unhandledPromptBehavior": "ignore",
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("open a Chromium session through chromedriver")
}

/// Runs `script` (a function body returning a value) in the page.
pub async fn run(browser: &Client, script: &str) -> Value {
    browser
        .execute(script, Vec::new())
        .await
        .unwrap_or_else(|error| panic!("script failed: {error}\n{script}"))
}

/// Waits until `script` returns `true` in the page, failing after
/// [`DEADLINE`] with `what` and the widget's state.
pub async fn wait_for(browser: &Client, what: &str, script: &str) {
    let give_up_at = Instant::now() + DEADLINE;
    loop {
        if run(browser, script).await == Value::Bool(true) {
            return;
        }
        if Instant::now() >= give_up_at {
            panic!(
                "timed out after {DEADLINE:?} waiting until {what}; widget: {}",
                describe(browser).await
            );
        }
        tokio::time::sleep(CHECK_INTERVAL).await;
    }
}

/// The widget's status attribute, log lines and notice, for failure messages.
pub async fn describe(browser: &Client) -> Value {
    run(
        browser,
        "const root = document.querySelector('.seshat-chat');
         if (!root) { return 'no widget on the page'; }
         return {
           hidden: root.hidden,
           status: root.getAttribute('data-seshat-status'),
           lines: Array.from(root.querySelectorAll('.seshat-line')).map(l => l.className + ': ' + l.textContent),
           notice: (root.querySelector('.seshat-notice') || {}).textContent,
         };",
    )
    .await
}

/// Waits until the chat's status, as the widget shows it, is `status`.
pub async fn wait_for_status(browser: &Client, status: &str) {
    wait_for(
        browser,
        &format!("the widget shows the status {status:?}"),
        &format!(
            "return document.querySelector('.seshat-chat').getAttribute('data-seshat-status') === {};",
            json!(status)
        ),
    )
    .await;
}

/// Waits until a line written by `from` (`visitor`, `staff` or `seshat`)
/// shows exactly `text`.
pub async fn wait_for_line(browser: &Client, from: &str, text: &str) {
    wait_for(
        browser,
        &format!("the log shows {text:?} from {from}"),
        &format!(
            "return Array.from(document.querySelectorAll('.seshat-log .seshat-from-{from} .seshat-text'))
               .some(span => span.textContent === {});",
            json!(text)
        ),
    )
    .await;
}

/// Waits until `count` lines written by `from` are in the log.
pub async fn wait_for_line_count(browser: &Client, from: &str, count: usize) {
    wait_for(
        browser,
        &format!("the log holds {count} lines from {from}"),
        &format!(
            "return document.querySelectorAll('.seshat-log .seshat-from-{from}').length >= {count};"
        ),
    )
    .await;
}

/// The texts of the lines written by `from`, in order.
pub async fn lines_from(browser: &Client, from: &str) -> Vec<String> {
    let value = run(
        browser,
        &format!(
            "return Array.from(document.querySelectorAll('.seshat-log .seshat-from-{from} .seshat-text'))
               .map(span => span.textContent);"
        ),
    )
    .await;
    serde_json::from_value(value).expect("a list of strings")
}

/// Types `text` into the message box and presses Enter.
pub async fn type_and_press_enter(browser: &Client, text: &str) {
    let input = browser
        .find(Locator::Css(".seshat-input"))
        .await
        .expect("the message box");
    input.send_keys(text).await.expect("type");
    input.send_keys("\u{e007}").await.expect("press Enter");
}

/// Types `text` into the message box and clicks Send.
pub async fn type_and_click_send(browser: &Client, text: &str) {
    let input = browser
        .find(Locator::Css(".seshat-input"))
        .await
        .expect("the message box");
    input.send_keys(text).await.expect("type");
    click(browser, ".seshat-send").await;
}

/// Clicks the element `css` selects.
pub async fn click(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("no {css}: {error}"))
        .click()
        .await
        .unwrap_or_else(|error| panic!("cannot click {css}: {error}"));
}

/// Waits until the box is shown and ready for typing; `what` names the
/// step for the failure message.
pub async fn wait_for_shown_box(browser: &Client, what: &str) {
    browser
        .wait()
        .at_most(DEADLINE)
        .for_element(Locator::Css(".seshat-chat:not([hidden]) .seshat-input"))
        .await
        .unwrap_or_else(|error| panic!("{what}: {error}"));
}

/// Where screenshots go: `tests/browser/screenshots/` at the top of the
/// repository (this package's `browser/screenshots/`), which git ignores.
pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser/screenshots");
    std::fs::create_dir_all(&dir).expect("create the screenshot directory");
    dir
}

/// Saves the window as `name` (a PNG) in [`screenshot_dir`].
pub async fn save_screenshot(browser: &Client, name: &str) -> PathBuf {
    let png = browser.screenshot().await.expect("take a screenshot");
    let path = screenshot_dir().join(name);
    std::fs::write(&path, png).expect("save the screenshot");
    path
}
