//! What a running process costs, read from Linux's `/proc`, for the
//! benchmarks: CPU time used so far and resident memory. Also the
//! open-files limit, which a benchmark holding thousands of sockets must
//! raise before it starts the processes that accept them.

use std::io;

/// Resident memory of a process, from `/proc/PID/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Resident set size now (`VmRSS`), in KiB.
    pub resident_kib: u64,
    /// The highest resident set size so far (`VmHWM`), in KiB.
    pub peak_kib: u64,
}

/// CPU time, user plus system, that process `pid` (all its threads) has
/// used so far, in seconds. Resolution is one clock tick (10 ms on Linux),
/// so measure over seconds, not milliseconds.
pub fn cpu_seconds(pid: u32) -> io::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name, in parentheses, may hold spaces and parentheses;
    // the fields after the last closing parenthesis hold neither.
    let after_name = stat
        .rfind(')')
        .map(|end| &stat[end + 1..])
        .ok_or_else(|| malformed(pid, "stat"))?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line (proc(5)); the
    // first field after the name is field 3.
    let ticks = |field: usize| -> io::Result<u64> {
        fields
            .get(field - 3)
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| malformed(pid, "stat"))
    };
    Ok((ticks(14)? + ticks(15)?) as f64 / clock_ticks_per_second())
}

/// Resident memory of process `pid` now and at its peak.
pub fn memory(pid: u32) -> io::Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib = |name: &str| -> io::Result<u64> {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|number| number.parse().ok())
            .ok_or_else(|| malformed(pid, "status"))
    };
    Ok(Memory {
        resident_kib: kib("VmRSS:")?,
        peak_kib: kib("VmHWM:")?,
    })
}

/// Raises this process's soft limit on open files to `wanted`, or to the
/// hard limit when that is lower, and returns the limit now in force.
/// Child processes started afterwards inherit it. Never lowers the limit.
pub fn raise_open_files_limit(wanted: u64) -> io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid rlimit for getrlimit to fill in.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let target = wanted.min(limit.rlim_max);
    if target > limit.rlim_cur {
        limit.rlim_cur = target;
        // SAFETY: `limit` is a valid rlimit, read above, with a soft limit
        // no higher than its hard limit.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(limit.rlim_cur)
}

fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a system constant.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}

fn malformed(pid: u32, file: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("/proc/{pid}/{file} is not in the format proc(5) describes"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn cpu_time_grows_while_this_process_works() {
        let me = std::process::id();
        let before = cpu_seconds(me).unwrap();
        // Work until the next clock tick is counted; a busy machine may
        // give this thread little time, hence the generous deadline.
        let give_up_at = Instant::now() + Duration::from_secs(30);
        let mut spin = 0u64;
        while cpu_seconds(me).unwrap() <= before {
            assert!(Instant::now() < give_up_at, "no CPU time was counted");
            for _ in 0..100_000 {
                spin = std::hint::black_box(spin.wrapping_add(1));
            }
        }
    }

    #[test]
    fn memory_of_this_process_is_resident_and_peak_is_no_lower() {
        let memory = memory(std::process::id()).unwrap();
        assert!(memory.resident_kib > 0);
        assert!(memory.peak_kib >= memory.resident_kib);
    }

    #[test]
    fn a_process_that_does_not_exist_is_an_error() {
        assert!(cpu_seconds(u32::MAX).is_err());
        assert!(memory(u32::MAX).is_err());
    }

    #[test]
    fn the_open_files_limit_is_never_lowered() {
        let now = raise_open_files_limit(0).unwrap();
        assert!(now > 0);
        assert!(raise_open_files_limit(now + 1).unwrap() >= now);
    }
}
