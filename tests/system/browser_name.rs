//! The widget's name prompt on a phone-sized screen: before the first
//! line, the visitor may give a name and an e-mail address, which reach
//! staff in the offer and `!STATUS`; staff lines are then shown with the
//! staff member's configured name. Prosody, `seshatd` and `seshat-webapp`
//! run as processes, staff sit in a real XMPP client, the visitor uses
//! headless Chromium.
//!
//! Needs what the long-poll browser test needs (see `browser`).

use fantoccini::{Client as Browser, Locator};
use seshat_client::Client as SeshatClient;
use seshat_testkit::StaffClient;

use seshat_system_tests::browser::{
    describe, open_browser, run, save_screenshot, type_and_press_enter, wait_for, wait_for_line,
    wait_for_shown_box, wait_for_status,
};
use seshat_system_tests::deployment::{
    start_chromedriver, Deployment, Running, DEADLINE, PASSWORD,
};

/// The ini line that names the staff member for visitors.
const STAFF_NAMES: &str = "staff_names = alice@localhost = Alice\n";

/// A phone's window.
const PHONE: (u32, u32) = (360, 640);

/// Alice's client, logged in and known to the daemon as available.
async fn alice_available(deployment: &Deployment) -> StaffClient {
    let alice = StaffClient::connect(&deployment.prosody, "alice", PASSWORD, "desk")
        .await
        .expect("alice logs in");
    let store = SeshatClient::open(&deployment.database).expect("open the shared database");
    deployment.wait_until_staff_available(&store).await;
    alice
}

/// A browser with a phone-sized window, through a chromedriver of its own
/// (returned, so that it lives as long as the browser).
async fn phone_browser(deployment: &Deployment, name: &str) -> (Running, Browser) {
    let dir = deployment.dir.path();
    let (driver, port) = start_chromedriver(&dir.join(format!("chromedriver-{name}.log")));
    let browser = open_browser(port, &dir.join(format!("chromium-profile-{name}"))).await;
    browser
        .set_window_size(PHONE.0, PHONE.1)
        .await
        .expect("resize the window");
    (driver, browser)
}

/// Fails unless nothing on the page is wider than the window.
async fn assert_fits_the_window(browser: &Browser) {
    let overflow = run(
        browser,
        "const box = document.querySelector('.seshat-panel').getBoundingClientRect();
         const fields = Array.from(document.querySelectorAll('.seshat-panel input, .seshat-panel button'))
           .filter((field) => field.offsetParent !== null)
           .map((field) => field.getBoundingClientRect().right);
         return { page: document.documentElement.scrollWidth, width: window.innerWidth,
                  left: box.left, right: Math.max(box.right, ...fields),
                  wider: Array.from(document.querySelectorAll('body *'))
                    .filter((element) => element.getBoundingClientRect().right > window.innerWidth)
                    .map((element) => element.tagName + '.' + element.className + ' '
                      + Math.round(element.getBoundingClientRect().right)) };",
    )
    .await;
    assert!(
        overflow["page"].as_f64() <= overflow["width"].as_f64()
            && overflow["left"].as_f64() >= Some(0.0)
            && overflow["right"].as_f64() <= overflow["width"].as_f64(),
        "the widget does not fit a {} px screen: {overflow}",
        PHONE.0
    );
}

/// Types `text` into the field `css` selects.
async fn type_into(browser: &Browser, css: &str, text: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("no {css}: {error}"))
        .send_keys(text)
        .await
        .expect("type");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_gives_a_name_on_a_phone_and_sees_staff_by_name() {
    let deployment = Deployment::start_with_settings(&["alice"], STAFF_NAMES);
    let bot = deployment.prosody.jid("bot");
    let mut alice = alice_available(&deployment).await;
    let (driver, browser) = phone_browser(&deployment, "name").await;
    browser
        .goto(&deployment.url)
        .await
        .expect("open the demo page");
    wait_for_shown_box(&browser, "the widget shows itself once staff are available").await;
    wait_for_status(&browser, "idle").await;

    // ----- the prompt: one line of two labelled, optional fields ----------
    let prompt = run(
        &browser,
        "const about = document.querySelector('.seshat-about');
         if (!about || about.offsetParent === null) { return 'not shown'; }
         const fields = Array.from(about.querySelectorAll('input'));
         return {
           labels: fields.map((field) => Array.from(field.labels).map((label) => label.textContent)),
           one_line: new Set(fields.map((field) => Math.round(field.getBoundingClientRect().top))).size === 1,
           above_the_message_box: about.getBoundingClientRect().bottom
             <= document.querySelector('.seshat-input').getBoundingClientRect().top,
         };",
    )
    .await;
    assert_eq!(
        prompt,
        serde_json::json!({
            "labels": [["Your name (optional)"], ["E-mail (optional)"]],
            "one_line": true,
            "above_the_message_box": true,
        }),
        "{}",
        describe(&browser).await
    );
    assert_fits_the_window(&browser).await;
    run(
        &browser,
        "document.querySelector('.seshat-chat').scrollIntoView(); return true;",
    )
    .await;
    let asking = save_screenshot(&browser, "widget-name-prompt-360px.png").await;

    // ----- an address the server refuses starts nothing ---------------------
    // The browser's own check lets "dana@example" through; the server's
    // (a dot in the domain) does not.
    type_into(&browser, ".seshat-about-input[autocomplete=name]", "Dana").await;
    type_into(
        &browser,
        ".seshat-about-input[autocomplete=email]",
        "dana@example",
    )
    .await;
    type_and_press_enter(&browser, "Hi, do you ship to Mars?").await;
    wait_for(
        &browser,
        "the widget says the address was refused",
        "const notice = document.querySelector('.seshat-notice');
         return !notice.hidden
           && notice.textContent === 'Not sent: that is not a valid email address.';",
    )
    .await;
    wait_for_status(&browser, "idle").await;
    let after_refusal = run(
        &browser,
        "return {
           prompt_shown: document.querySelector('.seshat-about').offsetParent !== null,
           line_given_back: document.querySelector('.seshat-input').value,
           name_kept: document.querySelector('.seshat-about-input[autocomplete=name]').value,
         };",
    )
    .await;
    assert_eq!(
        after_refusal,
        serde_json::json!({
            "prompt_shown": true,
            "line_given_back": "Hi, do you ship to Mars?",
            "name_kept": "Dana",
        })
    );

    // ----- name, e-mail and the first line start the chat ------------------
    type_into(&browser, ".seshat-about-input[autocomplete=email]", ".org").await;
    browser
        .find(Locator::Css(".seshat-input"))
        .await
        .expect("the message box")
        .send_keys("\u{e007}")
        .await
        .expect("press Enter");

    let offer = deployment
        .wait_for_offer(&mut alice, "Hi, do you ship to Mars?")
        .await;
    assert!(
        offer
            .text
            .starts_with("Remote user 'Dana' wants to start a conversation."),
        "{}",
        offer.text
    );
    deployment.accept(&alice, offer.chat_id).await;
    alice
        .wait_for_message_containing(
            &format!("You are now handling chat #{}", offer.chat_id),
            DEADLINE,
        )
        .await
        .expect("the bot confirms the accept");
    wait_for_line(&browser, "seshat", "Your chat has started.").await;
    wait_for_status(&browser, "open").await;
    assert_eq!(
        run(
            &browser,
            "return document.querySelector('.seshat-about').offsetParent === null;"
        )
        .await,
        true,
        "the prompt is still shown once the chat started"
    );

    // The address went with the start: staff see it in !STATUS.
    alice.send_chat(&bot, "!STATUS").await.expect("!STATUS");
    let status = alice
        .wait_for_message_containing(
            &format!("You are in chat #{} with Dana.", offer.chat_id),
            DEADLINE,
        )
        .await
        .expect("the bot answers !STATUS");
    assert!(
        status
            .body
            .ends_with("Their email address is dana@example.org."),
        "{}",
        status.body
    );

    // ----- staff lines carry the configured name -----------------------------
    alice
        .send_chat(&bot, "Hello Dana! We do.")
        .await
        .expect("alice answers");
    wait_for_line(&browser, "staff", "Hello Dana! We do.").await;
    let who = run(
        &browser,
        "return document.querySelector('.seshat-from-staff .seshat-who').textContent;",
    )
    .await;
    assert_eq!(who, "Alice: ");
    assert_fits_the_window(&browser).await;
    let chatting = save_screenshot(&browser, "widget-staff-name-360px.png").await;

    for screenshot in [&asking, &chatting] {
        assert!(screenshot.is_file());
    }
    browser.close().await.expect("close the browser");
    drop(driver);
    alice.disconnect().await.expect("alice logs out");
}

/// Replaces the demo page's box with one that does not ask for a name.
const BOX_WITHOUT_PROMPT: &str = "
    document.querySelectorAll('.seshat-chat').forEach((box) => box.remove());
    const box = jQuery('<div class=\"seshat-chat\" data-seshat-base=\"/chat\" data-seshat-ask-name=\"false\"></div>');
    jQuery('.demo-aside').append(box);
    box.seshatChat();
    return true;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_can_turn_the_prompt_off() {
    let deployment = Deployment::start_with_settings(&["alice"], STAFF_NAMES);
    let mut alice = alice_available(&deployment).await;
    let (driver, browser) = phone_browser(&deployment, "no-name").await;
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
    run(&browser, BOX_WITHOUT_PROMPT).await;
    wait_for_shown_box(&browser, "the box without a prompt is shown").await;
    assert_eq!(
        run(
            &browser,
            "return document.querySelectorAll('.seshat-about, .seshat-about-input').length;"
        )
        .await,
        0,
        "the prompt was built: {}",
        describe(&browser).await
    );
    assert_fits_the_window(&browser).await;
    let screenshot = save_screenshot(&browser, "widget-no-name-prompt-360px.png").await;
    assert!(screenshot.is_file());

    // The first line still starts the chat, for a visitor nobody named.
    type_and_press_enter(&browser, "No name today").await;
    let offer = deployment.wait_for_offer(&mut alice, "No name today").await;
    assert!(
        offer
            .text
            .starts_with("Remote user 'Anonymous' wants to start a conversation."),
        "{}",
        offer.text
    );

    browser.close().await.expect("close the browser");
    drop(driver);
    alice.disconnect().await.expect("alice logs out");
}
