//! Latency samples summed up for the benchmarks' tables: percentiles by
//! the nearest-rank method, so every figure printed is one that was
//! actually measured.

use std::time::Duration;

/// A set of latency samples, sorted.
#[derive(Debug, Clone)]
pub struct Latencies {
    sorted: Vec<Duration>,
}

impl Latencies {
    /// Sorts `samples`.
    ///
    /// # Panics
    ///
    /// When there are none: a benchmark that measured nothing has nothing
    /// to report.
    pub fn new(mut samples: Vec<Duration>) -> Latencies {
        assert!(!samples.is_empty(), "no latency samples to sum up");
        samples.sort_unstable();
        Latencies { sorted: samples }
    }

    /// How many samples there are.
    pub fn count(&self) -> usize {
        self.sorted.len()
    }

    /// The smallest sample that `fraction` (0.5 for the median, 0.99 for
    /// p99) of all samples do not exceed.
    pub fn percentile(&self, fraction: f64) -> Duration {
        let rank = (self.sorted.len() as f64 * fraction).ceil() as usize;
        self.sorted[rank.clamp(1, self.sorted.len()) - 1]
    }

    /// The median.
    pub fn p50(&self) -> Duration {
        self.percentile(0.50)
    }

    /// The 90th percentile.
    pub fn p90(&self) -> Duration {
        self.percentile(0.90)
    }

    /// The 99th percentile.
    pub fn p99(&self) -> Duration {
        self.percentile(0.99)
    }

    /// The largest sample.
    pub fn max(&self) -> Duration {
        self.sorted[self.sorted.len() - 1]
    }

    /// The arithmetic mean.
    pub fn mean(&self) -> Duration {
        self.sorted.iter().sum::<Duration>() / self.sorted.len() as u32
    }

    /// The cells `p50 | p90 | p99 | max` of a Markdown table row, in
    /// milliseconds: the columns every latency table of the benchmarks has.
    pub fn cells(&self) -> String {
        [self.p50(), self.p90(), self.p99(), self.max()]
            .map(millis)
            .join(" | ")
    }
}

/// `duration` in milliseconds with two decimals, as the tables print it
/// (`"1.25 ms"`).
pub fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn percentiles_are_samples_by_nearest_rank() {
        let latencies = Latencies::new(ms(&[10, 1, 9, 2, 8, 3, 7, 4, 6, 5]));
        assert_eq!(latencies.p50(), Duration::from_millis(5));
        assert_eq!(latencies.p90(), Duration::from_millis(9));
        assert_eq!(latencies.p99(), Duration::from_millis(10));
        assert_eq!(latencies.max(), Duration::from_millis(10));
        assert_eq!(latencies.percentile(0.0), Duration::from_millis(1));
        assert_eq!(latencies.count(), 10);
    }

    #[test]
    fn a_single_slow_sample_in_a_hundred_lies_beyond_the_p99() {
        let mut samples = ms(&[1; 99]);
        samples.push(Duration::from_millis(40));
        let latencies = Latencies::new(samples);
        assert_eq!(latencies.p90(), Duration::from_millis(1));
        assert_eq!(latencies.p99(), Duration::from_millis(1));
        assert_eq!(latencies.max(), Duration::from_millis(40));
    }

    #[test]
    fn the_mean_counts_every_sample() {
        assert_eq!(
            Latencies::new(ms(&[1, 2, 6])).mean(),
            Duration::from_millis(3)
        );
    }

    #[test]
    fn table_cells_are_the_percentiles_then_the_max() {
        let latencies = Latencies::new(ms(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
        assert_eq!(latencies.cells(), "5.00 ms | 9.00 ms | 10.00 ms | 10.00 ms");
    }

    #[test]
    fn milliseconds_have_two_decimals() {
        assert_eq!(millis(Duration::from_micros(1254)), "1.25 ms");
    }
}
