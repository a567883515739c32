//! A visitor waiting in line sees their place: while the only staff
//! member online is busy in a chat, new chats wait, and each visitor is
//! told "You are number N in line." as an ordinary notice. Needs the
//! daemon's queue (`queue_when_busy`, on by default).
//!
//! Two visitors talk HTTP (the one in the chat, the first in line); the
//! third uses the widget in headless Chromium on a phone-sized window.

use seshat_client::{Client as SeshatClient, Topic};
use seshat_testkit::StaffClient;

use seshat_system_tests::browser::{
    open_browser, save_screenshot, type_and_press_enter, wait_for, wait_for_line,
    wait_for_shown_box,
};
use seshat_system_tests::deployment::{start_chromedriver, Deployment, DEADLINE, PASSWORD};
use seshat_system_tests::http_visitor::HttpVisitor;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_second_visitor_in_line_is_told_their_place() {
    let deployment =
        Deployment::start_with_settings(&["alice"], "staff_names = alice@localhost = Alice\n");
    let mut alice = StaffClient::connect(&deployment.prosody, "alice", PASSWORD, "desk")
        .await
        .expect("alice logs in");
    let store = SeshatClient::open(&deployment.database).expect("open the shared database");
    let available = store
        .wait_for(Topic::Availability, DEADLINE, |store| {
            Ok(store.is_available()?.then_some(()))
        })
        .await
        .expect("read availability");
    assert!(available.is_some(), "alice never became available");

    // ----- alice takes the first chat: she is busy ----------------------------
    let _first = HttpVisitor::start(&deployment.url, "First in the shop").await;
    let chat_id = deployment
        .accept_offer(&mut alice, "First in the shop")
        .await;
    alice
        .wait_for_message_containing(&format!("You are now handling chat #{chat_id}"), DEADLINE)
        .await
        .expect("the bot confirms the accept");

    // ----- the next visitor is first in line -------------------------------------
    let mut second = HttpVisitor::start(&deployment.url, "Second in the shop").await;
    second.wait_for("You are number 1 in line.").await;

    // ----- the one after, in the widget, is second -------------------------------
    let (driver, port) = start_chromedriver(&deployment.dir.path().join("chromedriver-queue.log"));
    let browser = open_browser(port, &deployment.dir.path().join("chromium-profile-queue")).await;
    browser
        .set_window_size(360, 640)
        .await
        .expect("resize the window");
    browser
        .goto(&deployment.url)
        .await
        .expect("open the demo page");
    wait_for(
        &browser,
        "jQuery and the widget are loaded",
        "return !!(window.jQuery && window.jQuery.fn.seshatChat);",
    )
    .await;
    // The page's box hides while nobody is there; with everyone busy it
    // shows, and says there is a line to wait in.
    wait_for_shown_box(&browser, "the box is shown while staff are busy").await;
    wait_for(
        &browser,
        "the busy status",
        "return [...document.querySelectorAll('.seshat-status')].some((line) => \
         line.textContent === 'All our staff are busy. Write a message to wait in line.');",
    )
    .await;
    type_and_press_enter(&browser, "Third in the shop").await;
    wait_for_line(&browser, "seshat", "You are number 2 in line.").await;
    let screenshot = save_screenshot(&browser, "widget-in-line-360px.png").await;
    assert!(screenshot.is_file());

    browser.close().await.expect("close the browser");
    drop(driver);
    alice.disconnect().await.expect("alice logs out");
}
