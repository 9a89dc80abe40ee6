//! Reading a process's CPU time and resident memory from `/proc/PID/stat` and
//! `/proc/PID/status`. Parsing is pure; [`sample`] reads the files.

use std::time::Duration;

/// Kernel clock ticks per second for `/proc/PID/stat` times (USER_HZ: 100 on Linux).
pub const CLOCK_TICKS_PER_SECOND: u64 = 100;

/// CPU time (user + system) from the text of `/proc/PID/stat`.
pub fn cpu_time_from_stat(stat: &str) -> Option<Duration> {
    // The command name (field 2) may hold spaces and parentheses: fields count from the
    // last ')'. utime and stime are fields 14 and 15, i.e. the 12th and 13th after it.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    let ticks = user + system;
    Some(Duration::from_millis(ticks * 1000 / CLOCK_TICKS_PER_SECOND))
}

/// Resident memory in KiB (`VmRSS:`) from the text of `/proc/PID/status`.
pub fn rss_kib_from_status(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One reading of a process.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcSample {
    pub cpu: Duration,
    pub rss_kib: u64,
}

/// Reads `/proc/PID/stat` and `/proc/PID/status` (`pid` "self" for this process).
pub fn sample(pid: &str) -> Option<ProcSample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    Some(ProcSample {
        cpu: cpu_time_from_stat(&stat)?,
        rss_kib: rss_kib_from_status(&status)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_adds_user_and_system_ticks_after_the_command_name() {
        let stat =
            "4242 (tokio (rt) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 1 2 3";
        assert_eq!(cpu_time_from_stat(stat), Some(Duration::from_millis(3000)));
    }

    #[test]
    fn truncated_stat_gives_none() {
        assert_eq!(cpu_time_from_stat("4242 (x) S 1 2"), None);
        assert_eq!(cpu_time_from_stat("garbage"), None);
    }

    #[test]
    fn rss_is_read_from_the_vmrss_line() {
        let status = "Name:\thotline\nVmPeak:\t  9000 kB\nVmRSS:\t   12345 kB\nThreads:\t3\n";
        assert_eq!(rss_kib_from_status(status), Some(12345));
        assert_eq!(rss_kib_from_status("Name: x\n"), None);
    }

    #[test]
    fn this_process_can_be_sampled() {
        let s = sample("self").expect("/proc/self readable");
        assert!(s.rss_kib > 0);
    }
}
