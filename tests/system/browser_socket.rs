//! The widget in WebSocket mode (`data-seshat-socket`) in a real browser:
//! Prosody, `seshatd` and `seshat-webapp` as processes, a staff member in
//! a real XMPP client, headless Chromium through chromedriver.
//!
//! Needs what the long-poll browser test needs (see `browser`).

use seshat_client::{Client as SeshatClient, Topic};
use seshat_testkit::StaffClient;

use seshat_system_tests::browser::{
    click, describe, lines_from, open_browser, run, save_screenshot, type_and_press_enter,
    wait_for, wait_for_line, wait_for_status,
};
use seshat_system_tests::deployment::{start_chromedriver, Deployment, DEADLINE, PASSWORD};

/// Replaces the demo page's box with one in WebSocket mode, and records
/// every socket the page opens and every long poll it makes.
const SOCKET_MODE_BOX: &str = "
    window.seshatSockets = [];
    window.seshatRequests = [];
    const RealWebSocket = window.WebSocket;
    window.WebSocket = function (url, protocols) {
      const socket = new RealWebSocket(url, protocols);
      window.seshatSockets.push(socket);
      return socket;
    };
    window.WebSocket.prototype = RealWebSocket.prototype;
    jQuery(document).ajaxSend((event, xhr, settings) => window.seshatRequests.push(settings.url));
    document.querySelectorAll('.seshat-chat').forEach((box) => box.remove());
    const box = jQuery('<div class=\"seshat-chat\" data-seshat-base=\"/chat\" data-seshat-socket=\"/wc/connect\" data-seshat-check-seconds=\"1\" hidden></div>');
    jQuery('.demo-aside').append(box);
    box.seshatChat();
    return true;";

/// Waits until the store says a staff member is (or no one is) available.
async fn until_availability_is(store: &SeshatClient, available: bool) {
    let reached = store
        .wait_for(Topic::Availability, DEADLINE, move |store| {
            Ok((store.is_available()? == available).then_some(()))
        })
        .await
        .expect("read availability");
    assert!(reached.is_some(), "availability never became {available}");
}

/// Waits until the box's status line starts with `text`.
async fn wait_for_status_line(browser: &fantoccini::Client, text: &str) {
    wait_for(
        browser,
        &format!("the status line says {text:?}"),
        &format!(
            "return document.querySelector('.seshat-status').textContent.startsWith({});",
            serde_json::json!(text)
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_chats_over_a_websocket() {
    let deployment = Deployment::start_with_settings(
        &["alice"],
        "staff_names = alice@localhost = Alice Liddell\n",
    );
    let bot = deployment.prosody.jid("bot");
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

    let (driver, driver_port) =
        start_chromedriver(&deployment.dir.path().join("chromedriver-socket.log"));
    let browser = open_browser(
        driver_port,
        &deployment.dir.path().join("chromium-profile-socket"),
    )
    .await;
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
    run(&browser, SOCKET_MODE_BOX).await;
    wait_for(
        &browser,
        "the box shows itself (staff are available)",
        "const box = document.querySelector('.seshat-chat');
         return box !== null && !box.hidden;",
    )
    .await;

    // ----- the first line starts the chat; replies come over the socket ---
    type_and_press_enter(&browser, "Hello over the socket").await;
    wait_for(
        &browser,
        "a WebSocket is open",
        "return window.seshatSockets.some((socket) => socket.readyState === 1);",
    )
    .await;
    deployment
        .accept_offer(&mut alice, "Hello over the socket")
        .await;
    wait_for_line(&browser, "seshat", "Your chat has started.").await;
    wait_for_status(&browser, "open").await;

    alice
        .send_chat(&bot, "Hi from Alice")
        .await
        .expect("alice answers");
    wait_for_line(&browser, "staff", "Hi from Alice").await;
    let who = run(
        &browser,
        "return document.querySelector('.seshat-from-staff .seshat-who').textContent;",
    )
    .await;
    assert_eq!(who, "Alice Liddell: ");

    type_and_press_enter(&browser, "A line typed in the browser").await;
    alice
        .wait_for_message_containing("A line typed in the browser", DEADLINE)
        .await
        .expect("the visitor's line reaches staff");

    // ----- the socket drops: the widget reconnects and misses nothing -----
    run(
        &browser,
        "window.seshatSockets.forEach((socket) => socket.close()); return true;",
    )
    .await;
    alice
        .send_chat(&bot, "Sent while the socket was down")
        .await
        .expect("alice writes");
    wait_for_line(&browser, "staff", "Sent while the socket was down").await;
    wait_for(
        &browser,
        "a second socket was opened and the notice is gone",
        "return window.seshatSockets.length >= 2
           && window.seshatSockets.some((socket) => socket.readyState === 1)
           && document.querySelector('.seshat-notice').hidden;",
    )
    .await;
    assert_eq!(
        lines_from(&browser, "staff").await,
        ["Hi from Alice", "Sent while the socket was down"],
        "a line was lost or shown twice: {}",
        describe(&browser).await
    );

    // ----- staff finish: the box shows the chat closed -----------------------
    alice
        .send_chat(&bot, "!FINISH")
        .await
        .expect("send !FINISH");
    wait_for_line(&browser, "seshat", "The chat is now closed.").await;
    wait_for_status(&browser, "closed").await;
    let screenshot = save_screenshot(&browser, "widget-websocket.png").await;
    assert!(screenshot.is_file());

    // ----- a new chat: the availability check runs again (issue 10 item 10) -
    alice.set_away().await.expect("alice goes away");
    until_availability_is(&store, false).await;
    click(&browser, ".seshat-restart").await;
    wait_for_status(&browser, "idle").await;
    wait_for_status_line(&browser, "Nobody is available right now.").await;
    alice.set_available().await.expect("alice is back");
    until_availability_is(&store, true).await;
    wait_for_status_line(&browser, "Staff are online.").await;
    type_and_press_enter(&browser, "A second question").await;
    deployment
        .accept_offer(&mut alice, "A second question")
        .await;
    wait_for_status(&browser, "open").await;

    // Nothing was long-polled: every reply came over the socket.
    let requests = run(&browser, "return window.seshatRequests;").await;
    let polled = requests
        .as_array()
        .expect("a list")
        .iter()
        .any(|url| url.as_str().unwrap_or_default().contains("/recvmessage/"));
    assert!(!polled, "the widget long-polled: {requests}");

    browser.close().await.expect("close the browser");
    drop(driver);
    alice.disconnect().await.expect("alice logs out");
}
