//! Reading a program's `/metrics` in tests, with a real Prometheus text
//! parser: a scrape, one value out of it, and waiting until the values
//! say something.

use std::time::Duration;

pub use prometheus_parse::Scrape;
use prometheus_parse::Value;

/// Scrapes `http://127.0.0.1:{port}/metrics`; panics unless it answers
/// 200 with valid Prometheus text.
pub async fn scrape(port: u16) -> Scrape {
    let response = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .expect("scrape /metrics");
    assert!(response.status().is_success(), "{}", response.status());
    let text = response.text().await.expect("read /metrics");
    Scrape::parse(text.lines().map(|line| Ok(line.to_owned()))).expect("valid Prometheus text")
}

/// The value of the sample `name` whose labels include all of `labels`
/// (for a histogram, its count); 0 when there is no such sample, as
/// Prometheus treats a series not yet seen.
pub fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    let sample = scrape.samples.iter().find(|sample| {
        sample.metric == name
            && labels
                .iter()
                .all(|(key, wanted)| sample.labels.get(key) == Some(*wanted))
    });
    match sample.map(|sample| &sample.value) {
        Some(Value::Counter(value) | Value::Gauge(value) | Value::Untyped(value)) => *value,
        Some(Value::Histogram(buckets)) => buckets.last().map_or(0.0, |bucket| bucket.count),
        Some(other) => panic!("{name} is {other:?}"),
        None => 0.0,
    }
}

/// Scrapes until `holds` is true of what the endpoint shows, for up to
/// `deadline`; then panics naming `what`, with the last scrape.
pub async fn scrape_until(
    port: u16,
    deadline: Duration,
    what: &str,
    holds: impl Fn(&Scrape) -> bool,
) -> Scrape {
    let give_up_at = tokio::time::Instant::now() + deadline;
    loop {
        let scraped = scrape(port).await;
        if holds(&scraped) {
            return scraped;
        }
        assert!(
            tokio::time::Instant::now() < give_up_at,
            "/metrics never showed {what}: {:?}",
            scraped.samples
        );
        tokio::task::yield_now().await;
    }
}
