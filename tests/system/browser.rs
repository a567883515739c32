//! The whole system in a real browser: Prosody, `seshatd` and
//! `seshat-webapp` run as processes, a staff member sits in a real XMPP
//! client, and a visitor uses the widget in headless Chromium.
//!
//! Needs Debian's `chromium` and `chromium-driver`, jQuery from `npm ci`,
//! and the `seshatd` binary (see [`seshat_system_tests::binaries`]). Saves
//! screenshots in `tests/browser/screenshots/`.

use fantoccini::Locator;
use seshat_client::Client as SeshatClient;
use seshat_testkit::StaffClient;

use seshat_system_tests::browser::{
    describe, lines_from, open_browser, run, save_screenshot, type_and_click_send,
    type_and_press_enter, wait_for, wait_for_line, wait_for_line_count, wait_for_shown_box,
    wait_for_status,
};
use seshat_system_tests::deployment::{start_chromedriver, Deployment, DEADLINE, PASSWORD};

/// A staff message that would run script if the widget rendered HTML.
const HOSTILE: &str = "<img src=x onerror=alert(1)>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_and_a_staff_member_chat_through_the_widget() {
    let mut deployment = Deployment::start(&["alice"]);
    let bot = deployment.prosody.jid("bot");
    let (driver, driver_port) = start_chromedriver(&deployment.dir.path().join("chromedriver.log"));
    let browser = open_browser(driver_port, &deployment.dir.path().join("chromium-profile")).await;

    // Replace the page's dialogs with recorders as soon as it loads, so
    // that a script smuggled in a message would leave a trace.
    let record_dialogs = "window.seshatTestDialogs = [];
        for (const name of ['alert', 'confirm', 'prompt']) {
          window[name] = (message) => { window.seshatTestDialogs.push(name + ':' + message); };
        }
        return true;";

    // ----- nobody is online: the widget stays hidden ---------------------
    browser
        .goto(&deployment.url)
        .await
        .expect("open the demo page");
    run(&browser, record_dialogs).await;
    wait_for(
        &browser,
        "the widget is built and has asked whether staff are available",
        "return document.querySelector('.seshat-panel') !== null && window.jQuery.active === 0;",
    )
    .await;
    assert_eq!(
        run(
            &browser,
            "return document.querySelector('.seshat-chat').hidden;"
        )
        .await,
        true,
        "the widget showed itself with nobody online: {}",
        describe(&browser).await
    );

    // ----- a staff member comes online: the widget appears ---------------
    let mut alice = StaffClient::connect(&deployment.prosody, "alice", PASSWORD, "desk")
        .await
        .expect("alice logs in");
    let store = SeshatClient::open(&deployment.database).expect("open the shared database");
    deployment.wait_until_staff_available(&store).await;
    browser.refresh().await.expect("reload the page");
    run(&browser, record_dialogs).await;
    wait_for_shown_box(&browser, "the widget shows itself once staff are available").await;

    // ----- the visitor starts a chat with the keyboard -------------------
    type_and_press_enter(&browser, "Hello from the browser").await;
    // Shown at once, before any answer from the server.
    assert_eq!(
        lines_from(&browser, "visitor").await,
        ["Hello from the browser"]
    );

    let chat_id = deployment
        .accept_offer(&mut alice, "Hello from the browser")
        .await;
    alice
        .wait_for_message_containing(&format!("You are now handling chat #{chat_id}"), DEADLINE)
        .await
        .expect("the bot confirms the accept");
    wait_for_line(&browser, "seshat", "Your chat has started.").await;
    wait_for_status(&browser, "open").await;

    // ----- messages flow both ways ----------------------------------------
    type_and_click_send(&browser, "Second line, <b>sent</b> with the button").await;
    let relayed = alice
        .wait_for_message_containing("Second line", DEADLINE)
        .await
        .expect("the visitor's line reaches staff");
    assert_eq!(relayed.body, "Second line, <b>sent</b> with the button");

    alice
        .send_chat(&bot, "Hi! How can I help?")
        .await
        .expect("alice answers");
    wait_for_line(&browser, "staff", "Hi! How can I help?").await;

    // ----- a hostile message is shown as text and runs nothing ------------
    alice.send_chat(&bot, HOSTILE).await.expect("send markup");
    wait_for_line_count(&browser, "staff", 2).await;
    assert_eq!(
        lines_from(&browser, "staff").await,
        ["Hi! How can I help?", HOSTILE],
        "the markup was not shown as text"
    );
    let elements_in_log = run(
        &browser,
        "return document.querySelectorAll('.seshat-log img, .seshat-log b').length;",
    )
    .await;
    assert_eq!(
        elements_in_log,
        0,
        "message text was rendered as HTML: {}",
        describe(&browser).await
    );

    // One more round trip, which also gives a would-be onerror handler
    // ample time to fire before dialogs are checked below.
    type_and_press_enter(&browser, "Thanks!").await;
    alice
        .wait_for_message_containing("Thanks!", DEADLINE)
        .await
        .expect("the last visitor line reaches staff");

    let desktop = save_screenshot(&browser, "widget-desktop.png").await;

    // ----- the web app crashes: the widget says so, retries, recovers -----
    deployment.crash_webapp();
    wait_for(
        &browser,
        "the widget says the connection is lost",
        "const notice = document.querySelector('.seshat-notice');
         return !notice.hidden && notice.textContent.startsWith('Connection lost.');",
    )
    .await;
    type_and_press_enter(&browser, "Sent while the site was down").await;
    alice
        .send_chat(&bot, "Are you still there?")
        .await
        .expect("alice writes during the outage");
    let outage = save_screenshot(&browser, "widget-connection-lost.png").await;
    deployment.restart_webapp();
    wait_for_line(&browser, "staff", "Are you still there?").await;
    alice
        .wait_for_message_containing("Sent while the site was down", DEADLINE)
        .await
        .unwrap_or_else(|error| {
            panic!(
                "the retried line never came: {error}\n{}",
                deployment.logs()
            )
        });
    wait_for(
        &browser,
        "the connection notice is gone",
        "return document.querySelector('.seshat-notice').hidden;",
    )
    .await;

    // ----- a 360 px wide phone screen --------------------------------------
    browser
        .set_window_size(360, 740)
        .await
        .expect("resize the window");
    wait_for(
        &browser,
        "the page has the phone's width",
        "return window.innerWidth <= 360;",
    )
    .await;
    let overflow = run(
        &browser,
        "const box = document.querySelector('.seshat-panel').getBoundingClientRect();
         return { page: document.documentElement.scrollWidth, width: window.innerWidth,
                  left: box.left, right: box.right };",
    )
    .await;
    assert!(
        overflow["page"].as_f64() <= overflow["width"].as_f64()
            && overflow["left"].as_f64() >= Some(0.0)
            && overflow["right"].as_f64() <= overflow["width"].as_f64(),
        "the widget does not fit a 360 px screen: {overflow}"
    );
    run(
        &browser,
        "document.querySelector('.seshat-chat').scrollIntoView(); return true;",
    )
    .await;
    let phone = save_screenshot(&browser, "widget-360px.png").await;

    // ----- staff finish: the widget shows the chat closed ------------------
    alice
        .send_chat(&bot, "!FINISH")
        .await
        .expect("send !FINISH");
    wait_for_line(&browser, "seshat", "The chat is now closed.").await;
    wait_for_status(&browser, "closed").await;
    let input_disabled = run(
        &browser,
        "return document.querySelector('.seshat-input').disabled;",
    )
    .await;
    assert_eq!(input_disabled, true);
    let closed = save_screenshot(&browser, "widget-closed-360px.png").await;

    // ----- nothing ran ------------------------------------------------------
    let dialogs = run(&browser, "return window.seshatTestDialogs;").await;
    assert_eq!(dialogs, serde_json::json!([]), "a dialog was opened");
    assert!(
        browser.get_alert_text().await.is_err(),
        "a native dialog is open"
    );
    // The recorder itself works, so the empty list above means something.
    run(&browser, "window.alert('probe'); return true;").await;
    assert_eq!(
        run(&browser, "return window.seshatTestDialogs;").await,
        serde_json::json!(["alert:probe"])
    );
    assert_eq!(
        lines_from(&browser, "staff").await,
        ["Hi! How can I help?", HOSTILE, "Are you still there?"]
    );

    // ----- the stand-alone page (GET /chat): the first line starts the chat -
    browser
        .set_window_size(1280, 900)
        .await
        .expect("resize the window");
    browser
        .goto(&deployment.url)
        .await
        .expect("back to the demo page");
    browser
        .find(Locator::LinkText("open the chat page"))
        .await
        .expect("the link to the chat page")
        .click()
        .await
        .expect("follow the link");
    wait_for_shown_box(&browser, "the page shows the chat box").await;
    wait_for_status(&browser, "idle").await;
    // The page view itself paged nobody: the page is served only after
    // anything it would have written, so this look is not too early.
    let pending = store
        .run(|store| store.waiting_chats())
        .await
        .expect("read the waiting chats");
    assert!(pending.is_empty(), "the page started a chat: {pending:?}");
    type_and_press_enter(&browser, "Hello from the chat page").await;
    wait_for_line(
        &browser,
        "seshat",
        "Your chat request has been sent. Please wait while it is answered.",
    )
    .await;
    let offer = alice
        .wait_for_message_containing("wants to start a conversation", DEADLINE)
        .await
        .expect("an offer for the page's chat");
    assert!(
        offer
            .body
            .contains("The starting message is: 'Hello from the chat page'"),
        "{}",
        offer.body
    );

    // The visitor ends it with the keyboard alone: Tab to "End chat", Enter.
    press_tab_until_focused(&browser, "seshat-end").await;
    browser
        .active_element()
        .await
        .expect("the focused element")
        .send_keys("\u{e007}")
        .await
        .expect("press Enter");
    wait_for_line(&browser, "seshat", "The chat is now closed.").await;
    wait_for_status(&browser, "closed").await;
    // The focus stays in the box, on the one thing left to do.
    assert_eq!(
        run(
            &browser,
            "return document.activeElement.classList.contains('seshat-restart');"
        )
        .await,
        true,
        "the keyboard focus left the widget"
    );
    let page = save_screenshot(&browser, "chat-page-ended.png").await;

    eprintln!("screenshots in {}", desktop.parent().unwrap().display());
    for screenshot in [&desktop, &outage, &phone, &closed, &page] {
        assert!(screenshot.is_file());
    }
    browser.close().await.expect("close the browser");
    drop(driver);
    alice.disconnect().await.expect("alice logs out");
    // Both programs stop cleanly on SIGTERM, in the order a service
    // manager would stop them.
    deployment.webapp.stop();
    deployment.daemon.stop();
}

/// Presses Tab (from wherever the focus is) until the element with class
/// `class` has the focus, as a keyboard-only visitor would.
async fn press_tab_until_focused(browser: &fantoccini::Client, class: &str) {
    for _ in 0..20 {
        let focused = run(
            browser,
            &format!("return document.activeElement.classList.contains('{class}');"),
        )
        .await;
        if focused == true {
            return;
        }
        browser
            .active_element()
            .await
            .expect("the focused element")
            .send_keys("\u{e004}")
            .await
            .expect("press Tab");
    }
    panic!(
        "Tab never reached .{class}; widget: {}",
        describe(browser).await
    );
}
